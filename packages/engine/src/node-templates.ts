import type { Runbook, RunbookNode } from '@playbook/domain';
import {
  type CompiledExpression,
  type CompiledTemplate,
  ExpressionError,
  type ExpressionScope,
  type ExpressionValues,
  type InputType,
  mayHoldTemplate,
  type OutputReference,
} from '@playbook/expressions';
import type { ExpressionsModule } from '@playbook/expressions/cel';

/** The templates of one node, compiled; undefined for a field without one. */
interface NodeTemplateSet {
  readonly description?: CompiledTemplate;
  readonly prompt?: CompiledTemplate;
  readonly commandName?: CompiledTemplate;
  readonly params?: ReadonlyMap<string, CompiledTemplate>;
  readonly env?: ReadonlyMap<string, CompiledTemplate>;
  readonly cwd?: CompiledTemplate;
}

/**
 * The `${{ … }}` templates of a runbook's nodes (SPEC §8.2), each compiled once per run (the first time its node
 * starts) and rendered at every attempt. A node without templates is handed back as it is: a v1 runbook runs
 * exactly as before.
 */
export class NodeTemplates {
  readonly #runbook: Runbook;
  readonly #hasTemplates: boolean;
  /** The compiler, loaded (with its CEL library) the first time a node with templates starts. */
  #compiler: Promise<{ cel: ExpressionsModule; scope: ExpressionScope }> | undefined;
  readonly #compiled = new Map<string, NodeTemplateSet | null>();
  readonly #conditions = new Map<string, CompiledExpression>();

  constructor(runbook: Runbook) {
    this.#runbook = runbook;
    this.#hasTemplates = runbookHasTemplates(runbook);
  }

  /**
   * Whether the node's `when` holds now (SPEC §8.4); true without one. Rejects with an `ExpressionError` when it
   * cannot be evaluated or gives something other than true or false.
   */
  async condition(node: RunbookNode, values: () => ExpressionValues): Promise<boolean> {
    const compiled = await this.#condition(node);
    if (compiled === undefined) return true;
    const value = compiled.evaluate(values());
    if (typeof value === 'boolean') return value;
    throw new ExpressionError(
      'EXPRESSION_EVALUATION',
      `\`when\` (${node.when}) gave ${describeResult(value)}, not true or false`,
    );
  }

  /** The node's `when`, compiled once; undefined without one. */
  async #condition(node: RunbookNode): Promise<CompiledExpression | undefined> {
    if (node.when === undefined) return undefined;
    let compiled = this.#conditions.get(node.id);
    if (compiled === undefined) {
      this.#compiler ??= loadCompiler(this.#runbook);
      const { scope } = await this.#compiler;
      compiled = scope.compile(node.when);
      this.#conditions.set(node.id, compiled);
    }
    return compiled;
  }

  /** The outputs (`steps.<id>.outputs.<key>`) the node's `when` and templates read by a literal key. */
  async outputsRead(node: RunbookNode): Promise<OutputReference[]> {
    const reads: OutputReference[] = [];
    // A `when` that fails to compile says so when it is evaluated, not here.
    const condition = await this.#condition(node).catch(() => undefined);
    for (const read of condition?.outputs ?? []) reads.push(read);
    if (!this.#hasTemplates) return reads;
    const set = await this.#set(node);
    if (set === null) return reads;
    const templates = [
      set.description,
      set.prompt,
      set.commandName,
      set.cwd,
      ...(set.params?.values() ?? []),
      ...(set.env?.values() ?? []),
    ];
    for (const template of templates) {
      for (const { expression } of template?.expressions ?? []) {
        for (const read of expression.outputs) reads.push(read);
      }
    }
    return reads;
  }

  async #set(node: RunbookNode): Promise<NodeTemplateSet | null> {
    let set = this.#compiled.get(node.id);
    if (set === undefined) {
      this.#compiler ??= loadCompiler(this.#runbook);
      const { cel, scope } = await this.#compiler;
      set = compileNode(cel, scope, node);
      this.#compiled.set(node.id, set);
    }
    return set;
  }

  /** The node with its templates rendered; rejects with an `ExpressionError` when one fails. */
  async render(node: RunbookNode, values: () => ExpressionValues): Promise<RunbookNode> {
    if (!this.#hasTemplates) return node;
    const set = await this.#set(node);
    if (set === null) return node;
    const current = values();
    const rendered: Record<string, unknown> = { ...node };
    if (set.description !== undefined) rendered['description'] = set.description.render(current);
    if (set.prompt !== undefined) rendered['prompt'] = set.prompt.render(current);
    // In a command line each value is one shell-quoted word, never interpreted by the shell.
    if (set.commandName !== undefined)
      rendered['commandName'] = set.commandName.render(current, { shell: true });
    if (set.params !== undefined && node.type === 'Function') {
      const params: Record<string, unknown> = { ...node.functionParams };
      for (const [param, template] of set.params) params[param] = template.renderValue(current);
      rendered['functionParams'] = params;
    }
    if (set.env !== undefined && node.type === 'Command') {
      const env: Record<string, string> = { ...node.env };
      for (const [name, template] of set.env) env[name] = template.render(current);
      rendered['env'] = env;
    }
    if (set.cwd !== undefined) rendered['cwd'] = set.cwd.render(current);
    return rendered as unknown as RunbookNode;
  }
}

function runbookHasTemplates(runbook: Runbook): boolean {
  return runbook.nodes.some((node) => templatedTexts(node).some(([, text]) => mayHoldTemplate(text)));
}

/**
 * The texts of a node that may hold templates, with where each goes: `description`, `prompt`, `commandName`,
 * `env.<name>`, `params.<param>` (a plan renders the same fields a run does).
 */
export function templatedTexts(node: RunbookNode): [string, string][] {
  const texts: [string, string][] = [];
  if (node.description !== undefined) texts.push(['description', node.description]);
  if (node.type === 'Manual') texts.push(['prompt', node.prompt]);
  if (node.type === 'Command') {
    texts.push(['commandName', node.commandName]);
    for (const [name, value] of Object.entries(node.env ?? {})) texts.push([`env.${name}`, value]);
    if (node.cwd !== undefined) texts.push(['cwd', node.cwd]);
  }
  if (node.type === 'Function') {
    for (const [param, value] of Object.entries(node.functionParams)) {
      if (typeof value === 'string') texts.push([`params.${param}`, value]);
    }
  }
  return texts;
}

async function loadCompiler(runbook: Runbook): Promise<{ cel: ExpressionsModule; scope: ExpressionScope }> {
  const cel = await import('@playbook/expressions/cel');
  const types: Record<string, InputType> = {};
  for (const input of runbook.inputs ?? []) types[input.name] = input.type;
  return { cel, scope: cel.createExpressionScope(types) };
}

function compileNode(
  cel: ExpressionsModule,
  scope: ExpressionScope,
  node: RunbookNode,
): NodeTemplateSet | null {
  const set: {
    description?: CompiledTemplate;
    prompt?: CompiledTemplate;
    commandName?: CompiledTemplate;
    params?: Map<string, CompiledTemplate>;
    env?: Map<string, CompiledTemplate>;
    cwd?: CompiledTemplate;
  } = {};
  let any = false;
  for (const [where, text] of templatedTexts(node)) {
    if (!mayHoldTemplate(text)) continue;
    const template = cel.compileTemplate(scope, text);
    // `$${{` alone is an escape, still rendered (to drop the `$`).
    any = true;
    if (where === 'description') set.description = template;
    else if (where === 'prompt') set.prompt = template;
    else if (where === 'commandName') set.commandName = template;
    else if (where === 'cwd') set.cwd = template;
    else if (where.startsWith('env.')) {
      set.env ??= new Map();
      set.env.set(where.slice(4), template);
    } else {
      set.params ??= new Map();
      set.params.set(where.slice(7), template);
    }
  }
  return any ? set : null;
}

function describeResult(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${String(value)}`;
  return `a ${typeof value === 'object' ? (Array.isArray(value) ? 'list' : 'map or optional') : typeof value}`;
}
