import type { ASTNode } from '@marcbachmann/cel-js';

/** A name an expression reads, and where (0-based offset in the expression). */
export interface Reference {
  readonly name: string;
  readonly offset: number;
}

/** A read of `steps.<step>.outputs.<key>` (any of `.key`, `.?key`, `["key"]`, `[?"key"]`), at the key. */
export interface OutputReference {
  readonly step: string;
  readonly key: string;
  readonly offset: number;
}

/** The inputs and steps an expression reads, found in its syntax tree. */
export interface References {
  readonly inputs: Reference[];
  readonly steps: Reference[];
  /** The outputs it reads by a literal key (also listed, by step, in `steps`). */
  readonly outputs: OutputReference[];
  /** `run.<field>` accesses (`id`, `workflow`, `trigger`, `operator`). */
  readonly run: Reference[];
}

type Node = { op: string; args: unknown; pos: number; start?: number };

// Where a node's text begins (`start`; `pos` is its operator's position).
const offsetOf = (node: Node): number => (typeof node.start === 'number' ? node.start : node.pos);

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && typeof (value as Node).op === 'string' && 'args' in value;

/** The literal key a selection node reads: `x.key`, `x.?key`, `x["key"]` or `x[?"key"]`. */
function literalKey(node: Node, key: unknown): string | undefined {
  if ((node.op === '.' || node.op === '.?') && typeof key === 'string') return key;
  if (
    (node.op === '[]' || node.op === '[?]') &&
    isNode(key) &&
    key.op === 'value' &&
    typeof key.args === 'string'
  )
    return key.args;
  return undefined;
}

/** `name` of `<root>.name`, `<root>.?name`, `<root>["name"]` or `<root>[?"name"]`, when the node is one. */
function selected(node: Node, root: string): string | undefined {
  const args = node.args as unknown[];
  if (!Array.isArray(args) || args.length !== 2) return undefined;
  const [object, key] = args;
  if (!isNode(object) || object.op !== 'id' || object.args !== root) return undefined;
  return literalKey(node, key);
}

/** `{ step, key }` when the node reads `steps.<step>.outputs.<key>` with a literal key. */
function outputRead(node: Node): { step: string; key: string; stepNode: Node } | undefined {
  const args = node.args as unknown[];
  if (!Array.isArray(args) || args.length !== 2) return undefined;
  const [outputs, keyNode] = args;
  if (!isNode(outputs) || outputs.op !== '.') return undefined;
  const [stepNode, field] = outputs.args as unknown[];
  if (field !== 'outputs' || !isNode(stepNode)) return undefined;
  const step = selected(stepNode, 'steps');
  if (step === undefined) return undefined;
  const key = literalKey(node, keyNode);
  return key === undefined ? undefined : { step, key, stepNode };
}

/**
 * Walks the tree without recursion (an expression's depth is bounded by the library, but one loop is as
 * simple) and collects `inputs.<name>`, `steps.<id>` and `run.<field>` accesses.
 */
export function findReferences(ast: ASTNode): References {
  const inputs: Reference[] = [];
  const steps: Reference[] = [];
  const run: Reference[] = [];
  const outputs: OutputReference[] = [];
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
      continue;
    }
    if (!isNode(value)) continue;
    const read = outputRead(value);
    if (read !== undefined) {
      outputs.push({ step: read.step, key: read.key, offset: offsetOf(value) });
      stack.push(read.stepNode);
      continue;
    }
    const input = selected(value, 'inputs');
    if (input !== undefined) {
      inputs.push({ name: input, offset: offsetOf(value) });
      continue;
    }
    const step = selected(value, 'steps');
    if (step !== undefined) {
      steps.push({ name: step, offset: offsetOf(value) });
      continue;
    }
    const field = selected(value, 'run');
    if (field !== undefined) {
      run.push({ name: field, offset: offsetOf(value) });
      continue;
    }
    stack.push(value.args);
  }
  const byOffset = (a: { offset: number }, b: { offset: number }) => a.offset - b.offset;
  return {
    inputs: inputs.sort(byOffset),
    steps: steps.sort(byOffset),
    run: run.sort(byOffset),
    outputs: outputs.sort(byOffset),
  };
}

/** When a failed evaluation read `steps.<id>.outputs.<key>` that does not exist: the step, key and offset. */
export function stepOfOutputAccess(error: unknown): { id: string; key: string; offset: number } | undefined {
  const node = (error as { node?: unknown } | undefined)?.node;
  if (!isNode(node) || (node.op !== '.' && node.op !== '[]')) return undefined;
  const [outputs, key] = node.args as unknown[];
  const keyName = typeof key === 'string' ? key : isNode(key) && key.op === 'value' ? key.args : undefined;
  if (typeof keyName !== 'string' || !isNode(outputs) || outputs.op !== '.') return undefined;
  const [step, field] = outputs.args as unknown[];
  if (field !== 'outputs' || !isNode(step)) return undefined;
  const id = selected(step, 'steps');
  return id === undefined ? undefined : { id, key: keyName, offset: offsetOf(node) };
}
