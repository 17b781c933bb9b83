// The Jinja expression subset that the Python prototype's runbooks use in `when` and in `{{ … }}` text: names,
// literals, lists, `not`/`and`/`or`, comparisons, `in`/`not in`, helper calls such as `has_succeeded('x')`,
// `previous_node('x').status`, filters (`| default('x')`, `| lower`…) and `is defined`. Anything else is an
// UnsupportedJinja error naming what and where, so the caller can keep the text and guard the node.

/** The comparison operators of the subset. */
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';

/** A parsed expression of the subset. */
export type JinjaNode =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly text: string; readonly integer: boolean }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'none' }
  | { readonly kind: 'list'; readonly items: readonly JinjaNode[] }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'not'; readonly operand: JinjaNode }
  | { readonly kind: 'and' | 'or'; readonly left: JinjaNode; readonly right: JinjaNode }
  | {
      readonly kind: 'compare';
      readonly op: CompareOp;
      readonly left: JinjaNode;
      readonly right: JinjaNode;
    }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly JinjaNode[] }
  | { readonly kind: 'attribute'; readonly object: JinjaNode; readonly name: string }
  | {
      readonly kind: 'filter';
      readonly operand: JinjaNode;
      readonly name: string;
      readonly args: readonly JinjaNode[];
    }
  | { readonly kind: 'test'; readonly operand: JinjaNode; readonly name: string; readonly negated: boolean };

/** Text outside the subset: `column` is 1-based within the expression. */
export class UnsupportedJinja extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
    this.name = 'UnsupportedJinja';
  }
}

/** Operators chained or nested deeper than this are refused (the translation recurses on the tree). */
export const MAX_JINJA_TREE_DEPTH = 256;

/** Parentheses, lists and calls nested deeper than this are refused (the parser recurses on them). */
export const MAX_JINJA_DEPTH = 32;

type Token =
  | { readonly kind: 'name'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly text: string; readonly at: number }
  | { readonly kind: 'number'; readonly text: string; readonly at: number }
  | { readonly kind: 'op'; readonly text: string; readonly at: number }
  | { readonly kind: 'end'; readonly text: ''; readonly at: number };

const OPERATORS = [
  '==',
  '!=',
  '<=',
  '>=',
  '//',
  '**',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  ',',
  '.',
  '|',
  '+',
  '-',
  '*',
  '/',
  '%',
  '~',
  ':',
  '{',
  '}',
  '=',
];
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
};

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] ?? '';
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))?.[0] ?? ch;
      tokens.push({ kind: 'name', text: match, at: i });
      i += match.length;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const match = /^[0-9][0-9_]*(\.[0-9_]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(i))?.[0] ?? ch;
      tokens.push({ kind: 'number', text: match.replaceAll('_', ''), at: i });
      i += match.length;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let value = '';
      let j = i + 1;
      for (; j < source.length && source[j] !== ch; j += 1) {
        if (source[j] === '\\') {
          const next = source[j + 1] ?? '';
          const escaped = ESCAPES[next];
          if (escaped === undefined) throw new UnsupportedJinja(`the escape \\${next} in a string`, j + 1);
          value += escaped;
          j += 1;
        } else value += source[j];
      }
      if (j >= source.length) throw new UnsupportedJinja('a string that is never closed', i + 1);
      tokens.push({ kind: 'string', text: value, at: i });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
    if (op === undefined) throw new UnsupportedJinja(`the character ${JSON.stringify(ch)}`, i + 1);
    tokens.push({ kind: 'op', text: op, at: i });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: '', at: source.length });
  return tokens;
}

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);
/** Operators Jinja has but the subset leaves out: named so the warning says what was found. */
const UNSUPPORTED_OPERATORS = new Set(['+', '-', '*', '/', '//', '%', '**', '~', '[', '{', ':', '=']);

/** Parses one Jinja expression of the subset (the text between `{{` and `}}`). Throws UnsupportedJinja. */
export function parseJinjaExpression(source: string): JinjaNode {
  const tokens = tokenize(source);
  let index = 0;
  let depth = 0;
  const peek = (): Token => tokens[index] ?? { kind: 'end', text: '', at: source.length };
  const next = (): Token => {
    const token = peek();
    index += 1;
    return token;
  };
  const isWord = (word: string): boolean => peek().kind === 'name' && peek().text === word;
  const isOp = (op: string): boolean => peek().kind === 'op' && peek().text === op;
  const fail = (token: Token, what?: string): never => {
    if (token.kind === 'end') throw new UnsupportedJinja('the expression ends too early', token.at + 1);
    if (what !== undefined) throw new UnsupportedJinja(what, token.at + 1);
    const shown = token.kind === 'string' ? JSON.stringify(token.text) : `\`${token.text}\``;
    const reason = UNSUPPORTED_OPERATORS.has(token.text) ? ` (the operator ${shown} is not translated)` : '';
    throw new UnsupportedJinja(`unexpected ${shown}${reason}`, token.at + 1);
  };
  const expectOp = (op: string): void => {
    if (!isOp(op)) fail(peek(), `expected \`${op}\``);
    index += 1;
  };
  const enter = (token: Token): void => {
    depth += 1;
    if (depth > MAX_JINJA_DEPTH) fail(token, `nested more than ${MAX_JINJA_DEPTH} levels deep`);
  };

  const parseOr = (): JinjaNode => {
    let left = parseAnd();
    while (isWord('or')) {
      next();
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): JinjaNode => {
    let left = parseNot();
    while (isWord('and')) {
      next();
      left = { kind: 'and', left, right: parseNot() };
    }
    return left;
  };
  const parseNot = (): JinjaNode => {
    // `not not x` loops here instead of recursing.
    let negations = 0;
    while (isWord('not')) {
      next();
      negations += 1;
    }
    let node = parseComparison();
    for (let n = 0; n < negations; n += 1) node = { kind: 'not', operand: node };
    return node;
  };
  const parseComparison = (): JinjaNode => {
    const left = parseUnary();
    let op: CompareOp;
    const token = peek();
    if (token.kind === 'op' && COMPARISONS.has(token.text)) op = token.text as CompareOp;
    else if (isWord('in')) op = 'in';
    else if (isWord('not') && tokens[index + 1]?.kind === 'name' && tokens[index + 1]?.text === 'in') {
      op = 'not in';
      next();
    } else return left;
    next();
    const right = parseUnary();
    const after = peek();
    if ((after.kind === 'op' && COMPARISONS.has(after.text)) || isWord('in'))
      fail(after, 'a chained comparison (a < b < c)');
    return { kind: 'compare', op, left, right };
  };
  const parseUnary = (): JinjaNode => {
    if (isOp('-') && tokens[index + 1]?.kind === 'number') {
      next();
      const number = next();
      return parsePostfix({ kind: 'number', text: `-${number.text}`, integer: !/[.eE]/.test(number.text) });
    }
    return parsePostfix(parsePrimary());
  };
  const parseArguments = (): JinjaNode[] => {
    const open = next();
    enter(open);
    const args: JinjaNode[] = [];
    while (!isOp(')')) {
      if (peek().kind === 'name' && tokens[index + 1]?.text === '=') fail(peek(), 'a keyword argument');
      args.push(parseOr());
      if (!isOp(',')) break;
      next();
    }
    expectOp(')');
    depth -= 1;
    return args;
  };
  const parsePostfix = (start: JinjaNode): JinjaNode => {
    let node = start;
    for (;;) {
      if (isOp('.')) {
        next();
        const name = next();
        if (name.kind !== 'name') fail(name);
        node = { kind: 'attribute', object: node, name: name.text };
      } else if (isOp('(')) {
        if (node.kind !== 'name') return fail(peek(), 'a call of something that is not a helper function');
        node = { kind: 'call', name: node.name, args: parseArguments() };
      } else if (isOp('|')) {
        next();
        const name = next();
        if (name.kind !== 'name') fail(name);
        const args = isOp('(') ? parseArguments() : [];
        node = { kind: 'filter', operand: node, name: name.text, args };
      } else if (isWord('is')) {
        next();
        const negated = isWord('not');
        if (negated) next();
        const name = next();
        if (name.kind !== 'name') fail(name);
        node = { kind: 'test', operand: node, name: name.text, negated };
      } else return node;
    }
  };
  const parsePrimary = (): JinjaNode => {
    const token = next();
    if (token.kind === 'string') return { kind: 'string', value: token.text };
    if (token.kind === 'number')
      return { kind: 'number', text: token.text, integer: !/[.eE]/.test(token.text) };
    if (token.kind === 'name') {
      if (token.text === 'true' || token.text === 'True') return { kind: 'boolean', value: true };
      if (token.text === 'false' || token.text === 'False') return { kind: 'boolean', value: false };
      if (token.text === 'none' || token.text === 'None') return { kind: 'none' };
      if (['and', 'or', 'not', 'in', 'is', 'if', 'else'].includes(token.text)) fail(token);
      return { kind: 'name', name: token.text };
    }
    if (token.kind === 'op' && token.text === '(') {
      enter(token);
      const inner = parseOr();
      if (isOp(',')) fail(peek(), 'a tuple');
      expectOp(')');
      depth -= 1;
      return inner;
    }
    if (token.kind === 'op' && token.text === '[') {
      enter(token);
      const items: JinjaNode[] = [];
      while (!isOp(']')) {
        items.push(parseOr());
        if (!isOp(',')) break;
        next();
      }
      expectOp(']');
      depth -= 1;
      return { kind: 'list', items };
    }
    return fail(token);
  };

  if (peek().kind === 'end') throw new UnsupportedJinja('an empty expression', 1);
  const node = parseOr();
  if (isWord('if')) fail(peek(), 'an inline `if … else …`');
  if (peek().kind !== 'end') fail(peek());
  // A long `a and b and c …` chain is a deep tree: the translation recurses on it.
  if (depthOf(node) > MAX_JINJA_TREE_DEPTH)
    throw new UnsupportedJinja(`an expression more than ${MAX_JINJA_TREE_DEPTH} operators deep`, 1);
  return node;
}

/** Depth of a tree, without recursion (a chain of 10,000 `and`s must not overflow the translation). */
export function depthOf(condition: JinjaNode): number {
  let deepest = 0;
  const stack: { node: JinjaNode; depth: number }[] = [{ node: condition, depth: 1 }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === undefined) break;
    deepest = Math.max(deepest, item.depth);
    const { node, depth } = item;
    const children: JinjaNode[] =
      node.kind === 'not'
        ? [node.operand]
        : node.kind === 'and' || node.kind === 'or' || node.kind === 'compare'
          ? [node.left, node.right]
          : node.kind === 'list'
            ? [...node.items]
            : node.kind === 'call'
              ? [...node.args]
              : node.kind === 'attribute'
                ? [node.object]
                : node.kind === 'filter'
                  ? [node.operand, ...node.args]
                  : node.kind === 'test'
                    ? [node.operand]
                    : [];
    for (const child of children) stack.push({ node: child, depth: depth + 1 });
  }
  return deepest;
}
