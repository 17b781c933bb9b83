import type { ASTNode } from '@marcbachmann/cel-js';

/** A name an expression reads, and where (0-based offset in the expression). */
export interface Reference {
  readonly name: string;
  readonly offset: number;
}

/** The inputs and steps an expression reads, found in its syntax tree. */
export interface References {
  readonly inputs: Reference[];
  readonly steps: Reference[];
  /** `run.<field>` accesses (`id`, `workflow`, `trigger`, `operator`). */
  readonly run: Reference[];
}

type Node = { op: string; args: unknown; pos: number; start?: number };

// Where a node's text begins (`start`; `pos` is its operator's position).
const offsetOf = (node: Node): number => (typeof node.start === 'number' ? node.start : node.pos);

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && typeof (value as Node).op === 'string' && 'args' in value;

/** `name` of `<root>.name`, `<root>.?name`, `<root>["name"]` or `<root>[?"name"]`, when the node is one. */
function selected(node: Node, root: string): string | undefined {
  const args = node.args as unknown[];
  if (!Array.isArray(args) || args.length !== 2) return undefined;
  const [object, key] = args;
  if (!isNode(object) || object.op !== 'id' || object.args !== root) return undefined;
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

/**
 * Walks the tree without recursion (an expression's depth is bounded by the library, but one loop is as
 * simple) and collects `inputs.<name>`, `steps.<id>` and `run.<field>` accesses.
 */
export function findReferences(ast: ASTNode): References {
  const inputs: Reference[] = [];
  const steps: Reference[] = [];
  const run: Reference[] = [];
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
      continue;
    }
    if (!isNode(value)) continue;
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
  const byOffset = (a: Reference, b: Reference) => a.offset - b.offset;
  return { inputs: inputs.sort(byOffset), steps: steps.sort(byOffset), run: run.sort(byOffset) };
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
