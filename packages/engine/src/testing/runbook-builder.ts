import type {
  CommandNode,
  FunctionNode,
  ManualNode,
  NodeBase,
  Runbook,
  RunbookMeta,
  RunbookNode,
  RunbookSource,
} from '@playbook/domain';

/** Node fields a builder call may override: everything but the id and the kind's own fields. */
export type NodeOptions = Partial<Omit<NodeBase, 'id' | 'type'>>;

function base(id: string, options: NodeOptions): Omit<NodeBase, 'type'> {
  return {
    id,
    name: options.name ?? id,
    dependsOn: options.dependsOn ?? [],
    repeatable: options.repeatable ?? false,
    skippable: options.skippable ?? false,
    critical: options.critical ?? false,
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    ...(options.outputs === undefined ? {} : { outputs: options.outputs }),
    ...(options.secretOutputs === undefined ? {} : { secretOutputs: options.secretOutputs }),
    ...(options.when === undefined ? {} : { when: options.when }),
    ...(options.runIf === undefined ? {} : { runIf: options.runIf }),
    ...(options.expectedDuration === undefined ? {} : { expectedDuration: options.expectedDuration }),
  };
}

/** A Manual node with the defaults of SPEC §1.2; the prompt defaults to "Do <id>". */
export function manualNode(id: string, options: NodeOptions & { prompt?: string } = {}): ManualNode {
  return { ...base(id, options), type: 'Manual', prompt: options.prompt ?? `Do ${id}` };
}

/** A Command node running `commandName`. */
export function commandNode(id: string, commandName: string, options: NodeOptions = {}): CommandNode {
  return { ...base(id, options), type: 'Command', commandName };
}

/** A Function node calling `functionName` with `functionParams`. */
export function functionNode(
  id: string,
  functionName: string,
  functionParams: Record<string, unknown> = {},
  options: NodeOptions = {},
): FunctionNode {
  return { ...base(id, options), type: 'Function', functionName, functionParams };
}

/** A runbook holding `nodes` in declaration order; `source` defaults to a fixed directory and hash. */
export function buildRunbook(
  nodes: readonly RunbookNode[],
  options: { meta?: Partial<RunbookMeta>; source?: Partial<RunbookSource> } = {},
): Runbook {
  return {
    meta: {
      title: 'Test runbook',
      description: 'A runbook built in a test',
      version: '0.1.0',
      author: 'Tests',
      createdAt: '2025-01-01T00:00:00.000Z',
      ...options.meta,
    },
    nodes,
    source: {
      path: '/runbooks/test.playbook.toml',
      directory: '/runbooks',
      hash: 'hash-1',
      ...options.source,
    },
  };
}
