import type { CommandNode, FunctionNode, ManualNode, Runbook, RunbookMeta } from '@playbook/domain';

// Hand-built runbooks for the tests of this package: the parser is not a dependency of drawing.

type Common = Partial<Pick<ManualNode, 'name' | 'dependsOn' | 'critical' | 'skippable' | 'repeatable'>>;

const defaults = (id: string, common: Common) => ({
  id,
  name: common.name ?? id,
  dependsOn: common.dependsOn ?? [],
  critical: common.critical ?? false,
  skippable: common.skippable ?? false,
  repeatable: common.repeatable ?? false,
});

export function manual(id: string, common: Common = {}): ManualNode {
  return { ...defaults(id, common), type: 'Manual', prompt: `Done with ${id}?` };
}

export function func(id: string, common: Common = {}): FunctionNode {
  return { ...defaults(id, common), type: 'Function', functionName: './ops.mjs#run', functionParams: {} };
}

export function command(id: string, common: Common = {}): CommandNode {
  return { ...defaults(id, common), type: 'Command', commandName: 'true' };
}

export function runbook(meta: Partial<RunbookMeta>, nodes: Runbook['nodes']): Runbook {
  return {
    meta: {
      title: 'Deploy',
      description: 'Blue/green deployment',
      version: '0.1.0',
      author: 'Ops Team',
      createdAt: '2025-05-03T12:08:00.000Z',
      ...meta,
    },
    nodes,
  };
}

/** The runbook of SPEC §1. */
export const deploy: Runbook = runbook({}, [
  command('build', { name: 'Build image', critical: true }),
  manual('approve', { dependsOn: ['build'], critical: true }),
  func('notify', { dependsOn: ['approve'], skippable: true }),
]);
