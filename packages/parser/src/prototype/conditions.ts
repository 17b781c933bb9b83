import { type JinjaNode, parseJinjaExpression, UnsupportedJinja } from './jinja-expression.js';
import { splitJinjaText } from './jinja-text.js';

// A node's condition in the prototype: its `when` text plus one helper call per `id:success` / `id:failure`
// dependency, all of which had to hold (the prototype joined them with `and`).

/** How a `when` text reads: no condition, a constant, one expression, or text outside the subset. */
export type WhenText =
  | { readonly kind: 'always' }
  | { readonly kind: 'expression'; readonly node: JinjaNode }
  | { readonly kind: 'unsupported'; readonly reason: string };

const TRUE_TEXT = new Set(['true', '1', 'yes', 'on']);
const FALSE_TEXT = new Set(['false', '0', 'no', 'off']);

/** Reads a `when` value as the prototype did: the text rendered, then read as true or false. */
export function readWhen(value: unknown): WhenText {
  if (typeof value === 'boolean')
    return value ? { kind: 'always' } : { kind: 'expression', node: { kind: 'boolean', value } };
  if (typeof value !== 'string') return { kind: 'unsupported', reason: 'a when that is not a string' };
  const trimmed = value.trim();
  if (trimmed === '' || TRUE_TEXT.has(trimmed.toLowerCase())) return { kind: 'always' };
  if (FALSE_TEXT.has(trimmed.toLowerCase()))
    return { kind: 'expression', node: { kind: 'boolean', value: false } };
  const parts = splitJinjaText(trimmed);
  const [only] = parts;
  if (parts.length !== 1 || only?.kind !== 'expression')
    return {
      kind: 'unsupported',
      reason: parts.some((part) => part.kind === 'expression')
        ? 'text around or between {{ … }}, or a {% … %} statement'
        : 'text without {{ … }} (the prototype read any such text as true)',
    };
  try {
    return { kind: 'expression', node: parseJinjaExpression(only.source) };
  } catch (error) {
    if (error instanceof UnsupportedJinja) return { kind: 'unsupported', reason: error.message };
    throw error;
  }
}

/** `has_succeeded('id')` / `has_failed('id')` for a `id:success` / `id:failure` dependency. */
export function outcomeCall(id: string, outcome: 'success' | 'failure'): JinjaNode {
  return {
    kind: 'call',
    name: outcome === 'success' ? 'has_succeeded' : 'has_failed',
    args: [{ kind: 'string', value: id }],
  };
}

/** All of the conditions, joined with `and`; undefined for none. */
export function allOf(conditions: readonly JinjaNode[]): JinjaNode | undefined {
  let joined: JinjaNode | undefined;
  for (const condition of conditions)
    joined = joined === undefined ? condition : { kind: 'and', left: joined, right: condition };
  return joined;
}

/**
 * Whether a condition can hold when one of the node's dependencies failed: it reads a failure or a mere "ran",
 * or asks that a step did not succeed. Such a node must not be blocked by a failed dependency (`run_if =
 * "always"`), or it would never get to evaluate its condition. Walks the tree with a stack.
 */
export function readsFailure(condition: JinjaNode): boolean {
  const stack: { node: JinjaNode; negated: boolean }[] = [{ node: condition, negated: false }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === undefined) break;
    const { node, negated } = item;
    switch (node.kind) {
      case 'call':
        if (node.name === 'has_failed' || node.name === 'has_run' || node.name === 'previous_node')
          return true;
        if (negated && (node.name === 'has_succeeded' || node.name === 'is_skipped')) return true;
        break;
      case 'not':
        stack.push({ node: node.operand, negated: !negated });
        break;
      case 'and':
      case 'or':
        stack.push({ node: node.left, negated }, { node: node.right, negated });
        break;
      case 'compare':
        // previous_node('x').status compared with anything, or a helper compared with a boolean.
        stack.push({ node: node.left, negated: true }, { node: node.right, negated: true });
        break;
      case 'attribute':
        stack.push({ node: node.object, negated });
        break;
      case 'filter':
        stack.push({ node: node.operand, negated: true });
        break;
      default:
        break;
    }
  }
  return false;
}

/**
 * The node ids a condition requires to have succeeded: `has_succeeded('x')` among its top-level `and` terms.
 * A node whose condition requires every one of its dependencies to have succeeded can safely evaluate it even
 * after a dependency failed (it is then false), so it is recorded skipped — as in the prototype — rather than
 * left blocked, and its dependents go on.
 */
export function requiredSuccesses(condition: JinjaNode): Set<string> {
  const required = new Set<string>();
  const stack: JinjaNode[] = [condition];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === undefined) break;
    if (node.kind === 'and') stack.push(node.left, node.right);
    else if (node.kind === 'call' && node.name === 'has_succeeded' && node.args[0]?.kind === 'string')
      required.add(node.args[0].value);
  }
  return required;
}
