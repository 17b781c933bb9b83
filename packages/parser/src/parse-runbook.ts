import { type ValidationIssue, validateRunbookDocument } from '@playbook/domain';
import type { ExpressionsModule } from '@playbook/expressions/cel';
import { type KeyLocations, locateKeysLazily, type SourcePosition } from './key-locator.js';
import { type FunctionReference, inFileOrder, type ParseResult, type Problem } from './problem.js';
import { parseTomlText } from './toml-text.js';

const START: SourcePosition = { line: 1, column: 1 };

// The slice of @iarna/toml's TomlError we rely on. Its `line` and `col` are 0-based.
interface TomlSyntaxError {
  readonly fromTOML: true;
  readonly message: string;
  readonly line: number;
  readonly col: number;
}

const isTomlError = (error: unknown): error is TomlSyntaxError =>
  error instanceof Error && (error as { fromTOML?: unknown }).fromTOML === true;

/**
 * Parses and validates the text of a `*.playbook.toml` file. `fileName` only labels the problems.
 * `options.cel` (`await import('@playbook/expressions/cel')`) type-checks the templates' expressions; without
 * it only their syntax is checked ({@link loadRunbook} loads it when the text holds a template). Pure: no I/O. The runbook has no `source`; {@link loadRunbook} sets it.
 */
export function parseRunbook(
  text: string,
  fileName: string,
  options: { readonly cel?: ExpressionsModule } = {},
): ParseResult {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') {
    return {
      ok: false,
      problems: [
        {
          severity: 'error',
          code: 'EMPTY_FILE',
          message: 'the file is empty: a runbook needs a [runbook] table and at least one node',
          file: fileName,
          ...START,
        },
      ],
    };
  }

  // Function nodes' `function_name` positions are always needed (see functionReferences); others only for a problem.
  const locations = locateKeysLazily(body, (path, depth) => depth === 1 && path[1] === 'function_name');
  const read = readTomlDocument(body, locations, fileName);
  if (!read.ok) return { ok: false, problems: read.problems };
  const { document } = read;

  const result = validateRunbookDocument(document, {
    order: locations.topLevelOrder,
    ...(options.cel === undefined ? {} : { cel: options.cel }),
  });
  const problems = inFileOrder(result.issues.map((issue) => toProblem(issue, locations, fileName)));
  const functions = functionReferences(document, problems, locations);
  if (!result.ok) return { ok: false, problems, functions };
  return { ok: true, runbook: result.runbook, warnings: problems, functions };
}

/**
 * The TOML document of a text, or the one problem that stops it: a syntax error, or a table named like a built-in
 * JavaScript property — checked before the TOML library sees the text, which would write such a table's keys onto
 * `Object` itself.
 */
export function readTomlDocument(
  body: string,
  locations: KeyLocations,
  fileName: string,
):
  | { readonly ok: true; readonly document: Record<string, unknown> }
  | { readonly ok: false; readonly problems: Problem[] } {
  const inherited = locations.inheritedNameTables;
  if (inherited.length > 0) {
    return {
      ok: false,
      problems: inherited.map(({ key, position }) => ({
        severity: 'error' as const,
        code: 'RESERVED_KEY',
        message: `\`${key}\` cannot name a table or a dotted key: it is a built-in JavaScript property name`,
        file: fileName,
        ...position,
      })),
    };
  }
  try {
    return { ok: true, document: parseTomlText(body) };
  } catch (error) {
    if (isTomlError(error)) return { ok: false, problems: [syntaxProblem(error, locations, fileName, body)] };
    // @iarna/toml throws a bare TypeError, without a position, for out-of-range dates and times such as
    // `2025-13-01` or `25:00:00`: still the text's fault, so a problem, never a crash.
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return {
      ok: false,
      problems: [
        { severity: 'error', code: 'TOML_SYNTAX', message: `invalid TOML: ${reason}`, file: fileName },
      ],
    };
  }
}

/** Tables with `type = "Function"` and a non-empty `function_name` string that drew no problem of its own. */
function functionReferences(
  document: unknown,
  problems: readonly Problem[],
  locations: KeyLocations,
): FunctionReference[] {
  if (typeof document !== 'object' || document === null) return [];
  const references: FunctionReference[] = [];
  // A set, not a search of every problem per node: a file may have as many problems as nodes.
  const withProblem = new Set(
    problems.filter((p) => p.field === 'function_name' && p.nodeId !== undefined).map((p) => p.nodeId),
  );
  for (const [nodeId, table] of Object.entries(document)) {
    if (nodeId === 'runbook') continue;
    if (typeof table !== 'object' || table === null) continue;
    const { type, function_name: functionName } = table as Record<string, unknown>;
    if (type !== 'Function' || typeof functionName !== 'string' || functionName.trim() === '') continue;
    if (withProblem.has(nodeId)) continue;
    // The node's header when the key itself cannot be found.
    const position = locations.find([nodeId, 'function_name']) ?? locations.find([nodeId]) ?? START;
    references.push({ nodeId, functionName, line: position.line, column: position.column });
  }
  return references;
}

function syntaxProblem(
  error: TomlSyntaxError,
  locations: KeyLocations,
  fileName: string,
  body: string,
): Problem {
  const line = error.line + 1;
  // The library's message carries "at row R, col C, pos P:" and a source excerpt; the position is ours to show.
  const first = error.message.split('\n')[0] ?? error.message;
  const reason = first.replace(/ at row \d+, col \d+, pos \d+:?$/, '');
  const text = lineOf(body, line);
  // A `[header]` line belongs to the table it names, when it names one, never to the table before it
  // (`[étape]` was reported in `[runbook]`).
  const table = /^\s*\[/.test(text)
    ? /^\s*\[+\s*([A-Za-z0-9_-]+)\s*[\].]/.exec(text)?.[1]
    : locations.tableAt(line);
  // TOML's bare keys are ASCII: `[étape]` reads as an empty key, which the library's words do not say.
  const bareKey = /^\s*\[*\s*([^\]=."'\s]*[^\x00-\x7f][^\]=."'\s]*)/.exec(text)?.[1];
  const hint =
    bareKey === undefined
      ? ''
      : ` (\`${bareKey}\` is not a bare key: bare keys and node ids are ASCII letters, digits, _ and -)`;
  return {
    severity: 'error',
    code: 'TOML_SYNTAX',
    message: `invalid TOML: ${reason}${hint}`,
    file: fileName,
    ...(table === undefined ? {} : { nodeId: table }),
    line,
    column: error.col + 1,
  };
}

function toProblem(issue: ValidationIssue, locations: KeyLocations, fileName: string): Problem {
  const position =
    issue.nodeId === undefined ? START : (locateField(issue.nodeId, issue.field, locations) ?? START);
  return {
    severity: issue.severity,
    code: issue.code,
    message: issue.message,
    file: fileName,
    ...(issue.nodeId === undefined ? {} : { nodeId: issue.nodeId }),
    ...(issue.field === undefined ? {} : { field: issue.field }),
    line: position.line,
    column: position.column,
  };
}

/**
 * Where a field is: a dotted field (`inputs.env.default`, `env.TOKEN`, `function_params.message`) is looked up
 * key by key, falling back to the nearest enclosing key that is found, then to the table's header.
 */
function locateField(
  nodeId: string,
  field: string | undefined,
  locations: KeyLocations,
): SourcePosition | undefined {
  if (field === undefined) return locations.find([nodeId]);
  const whole = locations.find([nodeId, field]);
  if (whole !== undefined || !field.includes('.')) return whole ?? locations.find([nodeId]);
  const keys = field.split('.');
  for (let length = keys.length; length > 0; length--) {
    const found = locations.find([nodeId, ...keys.slice(0, length)]);
    if (found !== undefined) return found;
  }
  return locations.find([nodeId]);
}

/** Line `line` (1-based) of `text`, without its end; empty past the end. */
function lineOf(text: string, line: number): string {
  let start = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', start);
    if (next === -1) return '';
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? undefined : end).replace(/\r$/, '');
}
