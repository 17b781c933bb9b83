import type { ExpressionsModule } from '@playbook/expressions/cel';
import { describeValue, normaliseCreatedAt } from './created-at.js';
import { findDependencyCycles } from './dependency-graph.js';
import { suggestKey } from './did-you-mean.js';
import {
  ALL_NODE_KEYS,
  COMMON_NODE_FIELDS,
  type FieldSpec,
  NODE_ID_PATTERN,
  NODE_TYPES,
  RUNBOOK_FIELDS,
  RUNBOOK_TABLE,
  TYPE_FIELDS,
} from './file-schema.js';
import type { JsonSchema } from './json-schema-builders.js';
import { type Check, compileCheck } from './json-schema-check.js';
import type {
  ApprovalPolicy,
  CommandNode,
  FunctionNode,
  NodeBase,
  NodeType,
  RetryPolicy,
  Runbook,
  RunbookInput,
  RunbookMeta,
  RunbookNode,
  RunIf,
} from './runbook.js';
import { invalidOutputKey, isOutputKey, MANUAL_NOTE_OUTPUT } from './step-outputs.js';
import { checkApproval } from './validate-approval.js';
import { validateInputs } from './validate-inputs.js';
import { checkRetry } from './validate-retry.js';
import { type DeclaredNode, validateTemplates } from './validate-templates.js';
import type { ValidationCode, ValidationIssue } from './validation-issue.js';

/** Options of {@link validateRunbookDocument}. */
export interface ValidateOptions {
  /**
   * Top-level keys in the order the file declares them. JS objects list integer-like keys (`[10]`) first,
   * so a parser that knows the real order passes it; keys missing from it keep the object's order.
   */
  readonly order?: readonly string[];
  /**
   * The expression compiler, `await import('@playbook/expressions/cel')`: given, every template's expression is
   * type-checked against the inputs and the DAG; left out, only the templates' syntax is (a runbook without
   * templates needs none — load it only when the text holds `${{`).
   */
  readonly cel?: ExpressionsModule;
}

/** The validated runbook (with its warnings), or every issue found. Issues are in document order. */
export type ValidationResult =
  | { readonly ok: true; readonly runbook: Runbook; readonly issues: readonly ValidationIssue[] }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

type Table = Record<string, unknown>;

const NODE_ID = new RegExp(NODE_ID_PATTERN);
const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
const isNodeType = (value: unknown): value is NodeType =>
  typeof value === 'string' && (NODE_TYPES as readonly string[]).includes(value);
const code = (name: string): string => `\`${name}\``;
// Suggesting among node ids is linear per unknown reference; past this size it is not worth the time.
const MAX_IDS_FOR_SUGGESTIONS = 5000;
// One compiled check per field schema, made on first use: interpreting the schema at every check cost over ten
// times as much, seconds on a 200,000-node runbook.
const checks = new WeakMap<JsonSchema, Check>();
function matches(schema: JsonSchema, value: unknown): boolean {
  let check = checks.get(schema);
  if (check === undefined) {
    check = compileCheck(schema);
    checks.set(schema, check);
  }
  return check(value);
}
// Field lists walked for every node, made once rather than per node.
const COMMON_FIELD_ENTRIES = Object.entries(COMMON_NODE_FIELDS) as [string, FieldSpec][];
const TYPE_FIELD_ENTRIES = Object.fromEntries(
  NODE_TYPES.map((type) => [type, Object.entries(TYPE_FIELDS[type]) as [string, FieldSpec][]]),
) as Record<NodeType, [string, FieldSpec][]>;

/**
 * Validates the plain object a TOML library produced from a `*.playbook.toml` file and maps it to the domain
 * `Runbook` (defaults applied, `depends_on` as a list, nodes in declaration order). Reports every problem,
 * each with its node id and field. Pure.
 */
export function validateRunbookDocument(document: unknown, options: ValidateOptions = {}): ValidationResult {
  const issues: ValidationIssue[] = [];
  const report = (
    severity: ValidationIssue['severity'],
    issueCode: ValidationCode,
    message: string,
    nodeId?: string,
    field?: string,
  ) => {
    issues.push({
      severity,
      code: issueCode,
      message,
      ...(nodeId === undefined ? {} : { nodeId }),
      ...(field === undefined ? {} : { field }),
    });
  };

  if (!isTable(document)) {
    report('error', 'NOT_A_TABLE', `a runbook document must be a table, not ${describeValue(document)}`);
    return { ok: false, issues };
  }

  const meta = validateMeta(document, report);
  const runbookTable = document[RUNBOOK_TABLE];
  const rawInputs = isTable(runbookTable) ? runbookTable['inputs'] : undefined;
  const inputs: RunbookInput[] | undefined =
    rawInputs === undefined
      ? []
      : validateInputs(rawInputs, report, (spec, value) => matches(spec.schema, value));
  const keys = declarationOrder(document, options.order);
  const nodes: RunbookNode[] = [];
  const declared: DeclaredNode[] = [];

  for (const id of keys) {
    if (id === RUNBOOK_TABLE) continue;
    const node = validateNode(id, document[id], report);
    if (node !== undefined) {
      declared.push({ id, dependsOn: node.dependsOn, table: document[id] });
      if (node.runbookNode !== undefined) nodes.push(node.runbookNode);
    }
  }

  if (keys.every((key) => key === RUNBOOK_TABLE) && isTable(document[RUNBOOK_TABLE])) {
    report(
      'warning',
      'NO_NODES',
      'the runbook has no nodes: add a table such as [first-step]',
      RUNBOOK_TABLE,
    );
  }
  const acyclic = checkReferences(declared, report);
  validateTemplates(runbookTable, declared, inputs, acyclic, report, options.cel);

  const ordered = sortByNode(issues, keys);
  if (ordered.some((issue) => issue.severity === 'error') || meta === undefined || inputs === undefined) {
    return { ok: false, issues: ordered };
  }
  // A runbook without inputs has no `inputs` property: a v1 file maps to exactly what it did before.
  const runbook: Runbook = rawInputs === undefined ? { meta, nodes } : { meta, inputs, nodes };
  return { ok: true, runbook, issues: ordered };
}

type Report = (
  severity: ValidationIssue['severity'],
  code: ValidationCode,
  message: string,
  nodeId?: string,
  field?: string,
) => void;

function declarationOrder(document: Table, order: readonly string[] | undefined): string[] {
  const own = Object.keys(document);
  if (order === undefined) return own;
  const present = new Set(own);
  const seen = new Set<string>();
  const keys: string[] = [];
  for (const key of order) {
    if (present.has(key) && !seen.has(key)) {
      seen.add(key);
      keys.push(key);
    }
  }
  for (const key of own) if (!seen.has(key)) keys.push(key);
  return keys;
}

// Issues are produced check by check; this puts them per table in declaration order (stable within a table),
// with document-wide issues first.
function sortByNode(issues: ValidationIssue[], keys: readonly string[]): ValidationIssue[] {
  if (issues.length < 2) return issues;
  const rank = new Map(keys.map((key, index) => [key, index]));
  const position = (issue: ValidationIssue) =>
    issue.nodeId === undefined ? -1 : (rank.get(issue.nodeId) ?? Number.MAX_SAFE_INTEGER);
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => position(a.issue) - position(b.issue) || a.index - b.index)
    .map(({ issue }) => issue);
}

function validateMeta(document: Table, report: Report): RunbookMeta | undefined {
  const table = document[RUNBOOK_TABLE];
  if (table === undefined) {
    report(
      'error',
      'MISSING_RUNBOOK',
      'missing the [runbook] table (title, description, version, author, created_at)',
      RUNBOOK_TABLE,
    );
    return undefined;
  }
  if (!isTable(table)) {
    report(
      'error',
      'NOT_A_TABLE',
      `${code(RUNBOOK_TABLE)} must be a table ([runbook]), not ${describeValue(table)}`,
      RUNBOOK_TABLE,
    );
    return undefined;
  }
  let valid = true;
  let createdAt = '';
  for (const [key, spec] of Object.entries(RUNBOOK_FIELDS) as [string, FieldSpec][]) {
    const value = table[key];
    if (value === undefined) {
      if (!spec.required) continue;
      report('error', 'MISSING_FIELD', `missing required field ${code(key)}`, RUNBOOK_TABLE, key);
      valid = false;
    } else if (key === 'created_at') {
      const result = normaliseCreatedAt(value);
      if (result.ok) {
        createdAt = result.iso;
      } else {
        report('error', 'INVALID_DATE', `${code(key)} ${result.reason}`, RUNBOOK_TABLE, key);
        valid = false;
      }
    } else if (!matches(spec.schema, value)) {
      report('error', 'INVALID_VALUE', mustBe(key, spec, value), RUNBOOK_TABLE, key);
      valid = false;
    }
  }
  for (const key of Object.keys(table)) {
    // `inputs` is checked by validate-inputs.ts.
    if (Object.hasOwn(RUNBOOK_FIELDS, key) || key === 'inputs') continue;
    // `build.type = …` or `build = { … }` written after [runbook] lands inside it: say how to make it a node.
    const message = isTable(table[key])
      ? `unknown key ${code(key)} in [runbook]: to declare a node, write it as a [${key}] table (keys after a ` +
        'table header belong to that table)'
      : unknownKey(key, '[runbook]', Object.keys(RUNBOOK_FIELDS));
    report('warning', 'UNKNOWN_KEY', message, RUNBOOK_TABLE, key);
  }
  if (!valid) return undefined;
  return {
    title: table['title'] as string,
    description: table['description'] as string,
    version: table['version'] as string,
    author: table['author'] as string,
    createdAt,
    ...(table['concurrency'] === undefined ? {} : { concurrency: Number(table['concurrency']) }),
  };
}

function validateNode(
  id: string,
  table: unknown,
  report: Report,
): { dependsOn: string[]; runbookNode: RunbookNode | undefined } | undefined {
  let valid = true;
  if (!NODE_ID.test(id)) {
    report(
      'error',
      'INVALID_NODE_ID',
      `node id ${JSON.stringify(id)} may only contain letters, digits, \`_\` and \`-\``,
      id,
    );
    valid = false;
  }
  if (!isTable(table)) {
    report(
      'error',
      'NOT_A_TABLE',
      `top-level key ${code(id)} must be a node table ([${id}]), not ${describeValue(table)}`,
      id,
    );
    return undefined;
  }

  const rawType = table['type'];
  let type: NodeType | undefined;
  if (rawType === undefined) {
    report(
      'error',
      'MISSING_FIELD',
      'missing required field `type` (Manual, Function or Command)',
      id,
      'type',
    );
  } else if (isNodeType(rawType)) {
    type = rawType;
  } else {
    const hint = typeof rawType === 'string' ? suggestKey(rawType, NODE_TYPES) : undefined;
    report(
      'error',
      'UNKNOWN_NODE_TYPE',
      `unknown node type ${typeof rawType === 'string' ? JSON.stringify(rawType) : describeValue(rawType)}` +
        ` (expected Manual, Function or Command${hint === undefined ? '' : `; did you mean "${hint}"?`})`,
      id,
      'type',
    );
  }
  if (type === undefined) valid = false;

  for (const [key, spec] of COMMON_FIELD_ENTRIES) {
    if (key === 'type') continue;
    const value = table[key];
    if (value !== undefined && OUTPUT_LIST_FIELDS.has(key)) {
      if (!checkOutputList(id, key, spec, value, type, report)) valid = false;
    } else if (value !== undefined && !checkField(key, spec, value)) {
      report('error', 'INVALID_VALUE', mustBe(key, spec, value), id, key);
      valid = false;
    }
  }
  const dependsOn = normaliseDependsOn(table['depends_on']);
  const seen = new Set<string>();
  for (const dependency of dependsOn) {
    if (seen.has(dependency)) {
      report(
        'warning',
        'DUPLICATE_DEPENDENCY',
        `${code(dependency)} is listed more than once`,
        id,
        'depends_on',
      );
    }
    seen.add(dependency);
  }

  const typeFields: Record<string, FieldSpec> = type === undefined ? {} : TYPE_FIELDS[type];
  let retry: RetryPolicy | undefined;
  let approval: ApprovalPolicy | undefined;
  for (const [key, spec] of type === undefined ? [] : TYPE_FIELD_ENTRIES[type]) {
    const value = table[key];
    // Its names and values get their own messages (validate-templates.ts).
    if (key === 'env') continue;
    if (key === 'approval') {
      if (value === undefined) continue;
      const policy = checkApproval(id, value, report);
      if (policy === undefined) valid = false;
      else approval = policy;
      continue;
    }
    if (key === 'retry') {
      if (value === undefined) continue;
      const policy = checkRetry(id, type as NodeType, value, report);
      if (policy === undefined) valid = false;
      else retry = policy;
      continue;
    }
    if (value === undefined) {
      if (spec.required) {
        report('error', 'MISSING_FIELD', `missing required field ${code(key)} for a ${type} node`, id, key);
        valid = false;
      }
    } else if (!checkField(key, spec, value)) {
      report('error', 'INVALID_VALUE', mustBe(key, spec, value), id, key);
      valid = false;
    }
  }

  for (const key of Object.keys(table)) {
    if (Object.hasOwn(COMMON_NODE_FIELDS, key) || Object.hasOwn(typeFields, key)) continue;
    if (ALL_NODE_KEYS.includes(key)) {
      // Without a known type there is no telling which type-specific keys belong.
      if (type === undefined) continue;
      // A retry policy a person wrote for a step that cannot have one would silently do nothing.
      if (key === 'retry') {
        report(
          'error',
          'INVALID_RETRY',
          '`retry` is for Command and Function nodes: a Manual step is retried by its operator',
          id,
          key,
        );
        valid = false;
        continue;
      }
      // A gate on a step that runs by itself would silently guard nothing.
      if (key === 'approval') {
        report(
          'error',
          'INVALID_APPROVAL',
          '`approval` is for Manual nodes: a gate is a step someone else answers (SPEC: approval gates)',
          id,
          key,
        );
        valid = false;
        continue;
      }
      const owners = NODE_TYPES.filter((t) => Object.hasOwn(TYPE_FIELDS[t], key));
      const owner = owners.join(' and ');
      report(
        'warning',
        'FIELD_NOT_FOR_TYPE',
        `${code(key)} is not used by ${type} nodes (it belongs to ${owner} nodes)`,
        id,
        key,
      );
    } else {
      const candidates =
        type === undefined ? ALL_NODE_KEYS : [...Object.keys(COMMON_NODE_FIELDS), ...Object.keys(typeFields)];
      report('warning', 'UNKNOWN_KEY', unknownKey(key, `node ${code(id)}`, candidates), id, key);
    }
  }

  if (table['critical'] === true && table['skippable'] === true) {
    report(
      'error',
      'CRITICAL_SKIPPABLE',
      'a critical node can never be skipped: remove `skippable` or `critical`',
      id,
      'skippable',
    );
    valid = false;
  }

  if (table['approval'] !== undefined && table['skippable'] === true && type === 'Manual') {
    report(
      'error',
      'INVALID_APPROVAL',
      'an approval gate can never be skipped: remove `skippable` or `approval`',
      id,
      'skippable',
    );
    valid = false;
  }

  if (!valid || type === undefined) return { dependsOn, runbookNode: undefined };
  return { dependsOn, runbookNode: toRunbookNode(id, type, table, dependsOn, retry, approval) };
}

/** The node fields that list output keys (SPEC §8.3). */
const OUTPUT_LIST_FIELDS: ReadonlySet<string> = new Set(['outputs', 'secret_outputs']);

/**
 * `outputs` / `secret_outputs`: a list of keys, each letters, digits and `_` (named when it is not); a Manual
 * node has only the output `note`. A key listed twice is a warning. Returns whether the list is usable.
 */
function checkOutputList(
  id: string,
  key: string,
  spec: FieldSpec,
  value: unknown,
  type: NodeType | undefined,
  report: Report,
): boolean {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    report('error', 'INVALID_VALUE', mustBe(key, spec, value), id, key);
    return false;
  }
  let usable = true;
  const seen = new Set<string>();
  for (const item of value as string[]) {
    if (!isOutputKey(item)) {
      report('error', 'INVALID_OUTPUT_KEY', `${invalidOutputKey(item)} (in ${code(key)})`, id, key);
      usable = false;
    } else if (type === 'Manual' && item !== MANUAL_NOTE_OUTPUT) {
      report(
        'error',
        'INVALID_OUTPUT_KEY',
        `a Manual step has one output, ${code(MANUAL_NOTE_OUTPUT)} (the operator's note), not ${code(item)}`,
        id,
        key,
      );
      usable = false;
    } else if (seen.has(item)) {
      report('warning', 'DUPLICATE_OUTPUT', `${code(item)} is listed more than once`, id, key);
    }
    seen.add(item);
  }
  return usable;
}

function checkField(key: string, spec: FieldSpec, value: unknown): boolean {
  if (!matches(spec.schema, value)) {
    // The schema's pattern and uniqueness on ids are for editors; here a bad id is reported as an unknown
    // node and a repeated one as a warning.
    if (key !== 'depends_on') return false;
    const raw: unknown = value;
    return typeof raw === 'string' || (Array.isArray(raw) && raw.every((item) => typeof item === 'string'));
  }
  return key !== 'timeout' || Number.isFinite(value);
}

// A copy of exactly its length: the parser's array, or one built by `filter`, keeps spare capacity (some 150
// bytes for one id), and every node of a runbook keeps its list for the whole run.
function normaliseDependsOn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string').slice();
  return [];
}

// One object literal with the common fields, the others assigned onto it: spreading a shared base into each
// kind cost about three times the memory per node (440 against 160 bytes), which counts at 200,000 nodes.
function toRunbookNode(
  id: string,
  type: NodeType,
  table: Table,
  dependsOn: string[],
  retry: RetryPolicy | undefined,
  approval?: ApprovalPolicy,
): RunbookNode {
  const base: { -readonly [K in keyof Omit<NodeBase, 'type'>]: NodeBase[K] } = {
    id,
    name: (table['name'] as string | undefined) ?? id,
    dependsOn: dependsOn.length > 1 ? [...new Set(dependsOn)] : dependsOn,
    repeatable: table['repeatable'] === true,
    skippable: table['skippable'] === true,
    critical: table['critical'] === true,
  };
  // Optional fields exist only when the file gives them (the model's optional properties are never undefined).
  if (table['description'] !== undefined) base.description = table['description'] as string;
  if (table['timeout'] !== undefined) base.timeout = table['timeout'] as number;
  if (table['outputs'] !== undefined) base.outputs = [...new Set(table['outputs'] as string[])];
  if (table['secret_outputs'] !== undefined) {
    base.secretOutputs = [...new Set(table['secret_outputs'] as string[])];
  }
  if (table['when'] !== undefined) base.when = table['when'] as string;
  if (table['run_if'] !== undefined) base.runIf = table['run_if'] as RunIf;
  if (table['expected_duration'] !== undefined) base.expectedDuration = table['expected_duration'] as number;
  switch (type) {
    case 'Manual': {
      const manual = Object.assign(base, { type, prompt: table['prompt'] as string });
      return approval === undefined ? manual : Object.assign(manual, { approval });
    }
    case 'Command': {
      const command: CommandNode = Object.assign(base, {
        type,
        commandName: table['command_name'] as string,
      });
      const env = table['env'];
      const extra: { -readonly [K in 'env' | 'cwd' | 'retry']?: CommandNode[K] } = {};
      if (env !== undefined) extra.env = { ...(env as Record<string, string>) };
      if (table['cwd'] !== undefined) extra.cwd = table['cwd'] as string;
      if (retry !== undefined) extra.retry = retry;
      return Object.keys(extra).length === 0 ? command : Object.assign(command, extra);
    }
    case 'Function': {
      const fn: FunctionNode = Object.assign(base, {
        type,
        functionName: table['function_name'] as string,
        functionParams: { ...((table['function_params'] as Table | undefined) ?? {}) },
      });
      return retry === undefined ? fn : Object.assign(fn, { retry });
    }
  }
}

/** Reports unknown and self dependencies and cycles; true when there is no cycle. */
function checkReferences(
  declared: readonly { id: string; dependsOn: readonly string[] }[],
  report: Report,
): boolean {
  const ids = new Set(declared.map((node) => node.id));
  const idList = ids.size <= MAX_IDS_FOR_SUGGESTIONS ? [...ids] : [];
  for (const node of declared) {
    for (const dependency of new Set(node.dependsOn)) {
      if (dependency === node.id) {
        report('error', 'SELF_DEPENDENCY', `${code(node.id)} depends on itself`, node.id, 'depends_on');
      } else if (dependency === RUNBOOK_TABLE) {
        report(
          'error',
          'UNKNOWN_DEPENDENCY',
          'depends on `runbook`, which is the metadata table, not a node',
          node.id,
          'depends_on',
        );
      } else if (!ids.has(dependency)) {
        const hint = suggestKey(dependency, idList);
        report(
          'error',
          'UNKNOWN_DEPENDENCY',
          `depends on ${code(dependency)}, which is not a node of this runbook` +
            (hint === undefined ? '' : ` (did you mean ${code(hint)}?)`),
          node.id,
          'depends_on',
        );
      }
    }
  }
  const cycles = findDependencyCycles(declared);
  for (const cycle of cycles) {
    report(
      'error',
      'CYCLE',
      `dependency cycle: ${cycle.path.join(' → ')} (each depends on the next)`,
      cycle.path[0],
      'depends_on',
    );
  }
  return cycles.length === 0;
}

function mustBe(key: string, spec: FieldSpec, value: unknown): string {
  return `${code(key)} must be ${spec.expected}, not ${describeActual(value)}`;
}

function describeActual(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') {
    return value === ''
      ? 'an empty string'
      : `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  }
  if (Array.isArray(value) && value.some((item) => typeof item !== 'string')) {
    const item = value.find((element) => typeof element !== 'string');
    return `an array holding ${describeValue(item)}`;
  }
  return describeValue(value);
}

function unknownKey(key: string, where: string, known: readonly string[]): string {
  const hint = suggestKey(key, known);
  return `unknown key ${code(key)} in ${where}${hint === undefined ? '' : ` (did you mean ${code(hint)}?)`}`;
}
