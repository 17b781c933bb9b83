import type { InputType } from '@playbook/expressions';
import { type JinjaNode, UnsupportedJinja } from './jinja-expression.js';

// Jinja (the prototype) → CEL (this tool). Types matter: Jinja compares anything with anything and treats ''
// and 0 as false, CEL has no truthiness and no int == double. Each translated piece carries its CEL type so
// that `not NAME` becomes `!inputs.NAME` for a boolean and `inputs.NAME == ""` for a string.

/** What the translation needs to know about the runbook being imported. */
export interface CelContext {
  /** The type of the input a Jinja name stands for (the importer declares names the runbook did not). */
  input(name: string): InputType;
  /** Whether a node id exists; each id a helper reads is reported here, so the importer can depend on it. */
  step(id: string): boolean;
  /** `NAME | default(value)`: the fallback the prototype used when NAME had no value. */
  fallback(name: string, value: string | number | boolean): void;
}

type CelType = 'bool' | 'string' | 'int' | 'double' | 'list' | 'null';

interface Cel {
  readonly text: string;
  /** Binding strength: 1 `||`, 2 `&&`, 3 relations, 6 unary, 7 primary. */
  readonly precedence: number;
  readonly type: CelType;
}

const CEL_TYPE: Readonly<Record<InputType, CelType>> = {
  string: 'string',
  integer: 'int',
  number: 'double',
  boolean: 'bool',
};

// CEL's reserved words cannot follow a `.`; `steps["in"]` reads them.
const RESERVED = new Set(
  'in as break const continue else for function if import let loop package namespace null return var void while true false'.split(
    ' ',
  ),
);

/** `root.key`, or `root["key"]` when the key is not a CEL identifier. */
export function celSelect(root: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !RESERVED.has(key)
    ? `${root}.${key}`
    : `${root}[${JSON.stringify(key)}]`;
}

const STATUS_HELPERS: Readonly<Record<string, { readonly op: '==' | '!='; readonly status: string }>> = {
  has_succeeded: { op: '==', status: 'ok' },
  has_failed: { op: '==', status: 'nok' },
  is_skipped: { op: '==', status: 'skipped' },
  has_run: { op: '!=', status: 'pending' },
};

/** The prototype's helpers and what each becomes, for notes and docs. */
export const HELPER_MAPPING: readonly (readonly [string, string])[] = [
  ["has_succeeded('x')", 'steps.x.status == "ok"'],
  ["has_failed('x')", 'steps.x.status == "nok"'],
  ["is_skipped('x')", 'steps.x.status == "skipped"'],
  ["has_run('x')", 'steps.x.status != "pending"'],
  ["previous_node('x').status", 'steps.x.status'],
  ["previous_node('x').exists", 'steps.x.status != "pending"'],
];

const wrap = (cel: Cel, precedence: number): string =>
  cel.precedence < precedence ? `(${cel.text})` : cel.text;

/** Jinja's truthiness of a value, as a CEL boolean. */
function truthy(cel: Cel): Cel {
  switch (cel.type) {
    case 'bool':
      return cel;
    case 'string':
      return { text: `${wrap(cel, 4)} != ""`, precedence: 3, type: 'bool' };
    case 'int':
      return { text: `${wrap(cel, 4)} != 0`, precedence: 3, type: 'bool' };
    case 'double':
      return { text: `${wrap(cel, 4)} != 0.0`, precedence: 3, type: 'bool' };
    case 'list':
      return { text: `size(${cel.text}) != 0`, precedence: 3, type: 'bool' };
    case 'null':
      return { text: 'false', precedence: 7, type: 'bool' };
  }
}

function literalText(node: JinjaNode): string | number | boolean | undefined {
  if (node.kind === 'string' || node.kind === 'boolean') return node.value;
  if (node.kind === 'number') return Number(node.text);
  return undefined;
}

const TYPE_WORDS: Readonly<Record<CelType, string>> = {
  bool: 'a boolean',
  string: 'a string',
  int: 'an integer',
  double: 'a number',
  list: 'a list',
  null: 'none',
};

/** Both sides of a comparison in one CEL type: an int beside a double becomes `double(…)`. */
function unify(left: Cel, right: Cel, what: string): [Cel, Cel] {
  if (left.type === right.type) return [left, right];
  const toDouble = (cel: Cel): Cel => ({ text: `double(${cel.text})`, precedence: 7, type: 'double' });
  if (left.type === 'int' && right.type === 'double') return [toDouble(left), right];
  if (left.type === 'double' && right.type === 'int') return [left, toDouble(right)];
  throw new UnsupportedJinja(`${what} compares ${TYPE_WORDS[left.type]} with ${TYPE_WORDS[right.type]}`, 1);
}

function translate(node: JinjaNode, context: CelContext): Cel {
  switch (node.kind) {
    case 'string':
      return { text: JSON.stringify(node.value), precedence: 7, type: 'string' };
    case 'number':
      return node.integer
        ? { text: String(BigInt(node.text)), precedence: 7, type: 'int' }
        : { text: /[.eE]/.test(node.text) ? node.text : `${node.text}.0`, precedence: 7, type: 'double' };
    case 'boolean':
      return { text: String(node.value), precedence: 7, type: 'bool' };
    case 'none':
      return { text: 'null', precedence: 7, type: 'null' };
    case 'list': {
      const items = node.items.map((item) => translate(item, context));
      const types = new Set(items.map((item) => item.type));
      if (types.size > 1) throw new UnsupportedJinja('a list that mixes types', 1);
      return { text: `[${items.map((item) => item.text).join(', ')}]`, precedence: 7, type: 'list' };
    }
    case 'name': {
      const type = context.input(node.name);
      return { text: celSelect('inputs', node.name), precedence: 7, type: CEL_TYPE[type] };
    }
    case 'not':
      return { text: `!${wrap(truthy(translate(node.operand, context)), 6)}`, precedence: 6, type: 'bool' };
    case 'and':
    case 'or': {
      const [op, precedence] = node.kind === 'and' ? ['&&', 2] : ['||', 1];
      const left = truthy(translate(node.left, context));
      const right = truthy(translate(node.right, context));
      return {
        text: `${wrap(left, precedence)} ${op} ${wrap(right, precedence + 1)}`,
        precedence,
        type: 'bool',
      };
    }
    case 'compare':
      return compare(node, context);
    case 'call':
      return helper(node.name, node.args, context);
    case 'attribute': {
      if (node.object.kind !== 'call' || node.object.name !== 'previous_node')
        throw new UnsupportedJinja(`the attribute .${node.name}`, 1);
      const step = stepArgument('previous_node', node.object.args, context);
      if (node.name === 'status') return { text: `${step}.status`, precedence: 7, type: 'string' };
      if (node.name === 'exists') return { text: `${step}.status != "pending"`, precedence: 3, type: 'bool' };
      throw new UnsupportedJinja(
        `previous_node(…).${node.name} (only .status and .exists are translated)`,
        1,
      );
    }
    case 'filter':
      return filter(node, context);
    case 'test': {
      if (node.name !== 'defined' || node.operand.kind !== 'name')
        throw new UnsupportedJinja(`the test \`is ${node.name}\``, 1);
      context.input(node.operand.name);
      // A declared input always has a value when a run starts.
      return { text: String(!node.negated), precedence: 7, type: 'bool' };
    }
  }
}

function compare(node: Extract<JinjaNode, { kind: 'compare' }>, context: CelContext): Cel {
  const left = translate(node.left, context);
  const right = translate(node.right, context);
  if (node.op === 'in' || node.op === 'not in') {
    let text: string;
    if (right.type === 'list') text = `${wrap(left, 4)} in ${right.text}`;
    else if (right.type === 'string' && left.type === 'string')
      text = `${wrap(right, 7)}.contains(${left.text})`;
    else throw new UnsupportedJinja(`\`${node.op}\` on a ${right.type}`, 1);
    return node.op === 'in'
      ? { text, precedence: 3, type: 'bool' }
      : { text: `!(${text})`, precedence: 6, type: 'bool' };
  }
  if (left.type === 'null' || right.type === 'null') throw new UnsupportedJinja('a comparison with none', 1);
  const [l, r] = unify(left, right, `\`${node.op}\``);
  return { text: `${wrap(l, 4)} ${node.op} ${wrap(r, 4)}`, precedence: 3, type: 'bool' };
}

function stepArgument(helperName: string, args: readonly JinjaNode[], context: CelContext): string {
  const [id] = args;
  if (args.length !== 1 || id?.kind !== 'string')
    throw new UnsupportedJinja(`${helperName}(…) with anything but one quoted node id`, 1);
  if (!context.step(id.value)) throw new UnknownStep(id.value);
  return celSelect('steps', id.value);
}

/** A helper names a node the runbook does not have: the source is wrong, not merely untranslatable. */
export class UnknownStep extends Error {
  constructor(readonly id: string) {
    super(`the condition reads node \`${id}\`, which this runbook does not have`);
    this.name = 'UnknownStep';
  }
}

function helper(name: string, args: readonly JinjaNode[], context: CelContext): Cel {
  const mapped = STATUS_HELPERS[name];
  if (mapped === undefined) throw new UnsupportedJinja(`the function ${name}(…)`, 1);
  const step = stepArgument(name, args, context);
  return { text: `${step}.status ${mapped.op} "${mapped.status}"`, precedence: 3, type: 'bool' };
}

function filter(node: Extract<JinjaNode, { kind: 'filter' }>, context: CelContext): Cel {
  if (node.name === 'default' || node.name === 'd') {
    const [fallback] = node.args;
    const value = fallback === undefined ? undefined : literalText(fallback);
    if (node.operand.kind !== 'name' || value === undefined || node.args.length !== 1)
      throw new UnsupportedJinja('`default` other than NAME | default(<literal>)', 1);
    context.fallback(node.operand.name, value);
    return translate(node.operand, context);
  }
  if (node.args.length > 0) throw new UnsupportedJinja(`the filter \`${node.name}\` with arguments`, 1);
  const operand = translate(node.operand, context);
  const method = (name: string, type: CelType): Cel => {
    if (operand.type !== 'string') throw new UnsupportedJinja(`\`${node.name}\` of a ${operand.type}`, 1);
    return { text: `${wrap(operand, 7)}.${name}()`, precedence: 7, type };
  };
  switch (node.name) {
    case 'lower':
      return method('lowerAscii', 'string');
    case 'upper':
      return method('upperAscii', 'string');
    case 'trim':
      return method('trim', 'string');
    case 'string':
      return operand.type === 'string'
        ? operand
        : { text: `string(${operand.text})`, precedence: 7, type: 'string' };
    case 'int':
      return operand.type === 'int' ? operand : { text: `int(${operand.text})`, precedence: 7, type: 'int' };
    case 'float':
      return operand.type === 'double'
        ? operand
        : { text: `double(${operand.text})`, precedence: 7, type: 'double' };
    case 'length':
    case 'count':
      if (operand.type !== 'string' && operand.type !== 'list')
        throw new UnsupportedJinja(`\`${node.name}\` of a ${operand.type}`, 1);
      return { text: `size(${operand.text})`, precedence: 7, type: 'int' };
    default:
      throw new UnsupportedJinja(`the filter \`${node.name}\``, 1);
  }
}

/**
 * A `when` condition: the prototype rendered the expression to text and read "true"/"1"/"yes"/"on" as true and
 * "false"/"0"/"no"/"off"/"" as false (any other text counted as true).
 */
export function conditionToCel(node: JinjaNode, context: CelContext): string {
  const cel = translate(node, context);
  if (cel.type === 'string')
    return `!(${wrap(cel, 7)}.trim().lowerAscii() in ["", "false", "0", "no", "off"])`;
  return truthy(cel).text;
}

/** A value inserted into text (`{{ NAME }}` in a command or a prompt) as a CEL expression. */
export function valueToCel(node: JinjaNode, context: CelContext): string {
  const cel = translate(node, context);
  if (cel.type === 'null') throw new UnsupportedJinja('none as a value', 1);
  return cel.text;
}
