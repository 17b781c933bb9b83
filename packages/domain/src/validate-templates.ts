import {
  ExpressionError,
  type ExpressionFacts,
  type InputType,
  mayHoldTemplate,
  parseTemplate,
  type TemplatePart,
} from '@playbook/expressions';
import type { ExpressionsModule } from '@playbook/expressions/cel';
import { ancestry } from './ancestry.js';
import { suggestKey } from './did-you-mean.js';
import { ENV_NAME_PATTERN } from './file-schema.js';
import { knownOutputs } from './known-outputs.js';
import type { RunbookInput } from './runbook.js';
import type { ValidationCode, ValidationIssue } from './validation-issue.js';

type Report = (
  severity: ValidationIssue['severity'],
  code: ValidationCode,
  message: string,
  nodeId?: string,
  field?: string,
) => void;

type Table = Record<string, unknown>;

/** A node table as the file gives it, with its normalised dependencies. */
export interface DeclaredNode {
  readonly id: string;
  readonly dependsOn: readonly string[];
  readonly table: unknown;
}

const ENV_NAME = new RegExp(ENV_NAME_PATTERN);
const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
// Past this many node ids a "did you mean" among them is not worth the time (as for depends_on).
const MAX_IDS_FOR_SUGGESTIONS = 5000;

/**
 * Checks every template of the runbook (SPEC §8.2): in the fields that take them, each expression's syntax,
 * types, inputs and steps — a node reads only the steps it depends on, directly or not; in a command line,
 * no template inside shell quotes and none that reads a secret; in every other field, no template at all.
 * Also checks a Command node's `env` names. `inputs` undefined: the inputs are invalid (already reported), so
 * expressions are not checked against them. `acyclic` false: ancestor checks are skipped (cycles reported).
 */
export function validateTemplates(
  runbookTable: unknown,
  nodes: readonly DeclaredNode[],
  inputs: readonly RunbookInput[] | undefined,
  acyclic: boolean,
  report: Report,
  cel: ExpressionsModule | undefined,
): void {
  // Without the compiler (a caller that did not load it) only the templates' syntax is checked here; their
  // expressions are then checked when their step starts.
  const scope = inputs === undefined || cel === undefined ? undefined : createScope(cel, inputs);
  const secrets = new Set((inputs ?? []).filter((input) => input.secret).map((input) => input.name));
  const dependencies = new Map(nodes.map((node) => [node.id, node.dependsOn]));
  const idList = dependencies.size <= MAX_IDS_FOR_SUGGESTIONS ? [...dependencies.keys()] : [];
  const outputsOf = knownOutputs(nodes);
  const isAncestor = ancestry(dependencies);

  if (isTable(runbookTable)) {
    for (const [key, value] of Object.entries(runbookTable)) {
      forbidTemplates(value, 'runbook', key, report);
    }
  }
  for (const node of nodes) {
    if (!isTable(node.table)) continue;
    const type = node.table['type'];
    for (const [key, value] of Object.entries(node.table)) {
      const field = { nodeId: node.id, key };
      if (key === 'description' || (key === 'prompt' && type === 'Manual')) {
        if (typeof value === 'string') checkText(value, field, key);
      } else if (key === 'command_name' && type === 'Command') {
        if (typeof value === 'string') checkCommand(value, field);
      } else if (key === 'env' && type === 'Command') {
        checkEnv(value, field);
      } else if (key === 'cwd' && type === 'Command') {
        if (typeof value === 'string') checkText(value, field, key);
      } else if (key === 'when') {
        if (typeof value === 'string' && value.trim() !== '') checkWhen(value, node.id);
      } else if (key === 'function_params' && type === 'Function' && isTable(value)) {
        for (const [param, paramValue] of Object.entries(value)) {
          if (typeof paramValue === 'string') checkText(paramValue, field, `${key}.${param}`);
          else forbidTemplates(paramValue, node.id, `${key}.${param}`, report);
        }
      } else {
        forbidTemplates(value, node.id, key, report);
      }
    }
  }

  /** `when` is one CEL expression (not a template) that must be boolean and read only steps it depends on. */
  function checkWhen(source: string, nodeId: string): void {
    if (mayHoldTemplate(source) && holdsExpression(source)) {
      report(
        'error',
        'INVALID_CONDITION',
        '`when` is a CEL expression itself: write it without ${{ }} (when = "inputs.env == \'prod\'")',
        nodeId,
        'when',
      );
      return;
    }
    if (scope === undefined) return;
    let compiled: ExpressionFacts;
    try {
      compiled = scope.check(source);
    } catch (error) {
      reportExpression(error, nodeId, 'when');
      return;
    }
    // `dyn` (a value whose type is known only at run time) is checked when evaluated.
    if (compiled.type !== 'bool' && compiled.type !== 'dyn') {
      report(
        'error',
        'INVALID_CONDITION',
        `\`when\` must be a boolean expression (true or false), but \`${source}\` is of type ${compiled.type}`,
        nodeId,
        'when',
      );
    }
    for (const reference of compiled.steps) {
      const problem = stepProblem(nodeId, reference.name);
      if (problem !== undefined)
        report('error', problem.code, `\`when\`: ${problem.message}`, nodeId, 'when');
    }
    for (const read of compiled.outputs) {
      const problem = outputProblem(read.step, read.key);
      if (problem === undefined) continue;
      report(
        'error',
        'UNKNOWN_OUTPUT',
        `\`when\`: ${problem} (at character ${read.offset + 1} of the value)`,
        nodeId,
        'when',
      );
    }
  }

  function checkEnv(value: unknown, field: { nodeId: string; key: string }): void {
    if (!isTable(value)) {
      report(
        'error',
        'INVALID_ENV',
        '`env` must be a table of strings ({ NAME = "value" })',
        field.nodeId,
        'env',
      );
      return;
    }
    for (const [name, text] of Object.entries(value)) {
      if (!ENV_NAME.test(name)) {
        report(
          'error',
          'INVALID_ENV',
          `${JSON.stringify(name)} is not an environment variable name (letters, digits and \`_\`, not starting with a digit)`,
          field.nodeId,
          `env.${name}`,
        );
      } else if (typeof text !== 'string') {
        report(
          'error',
          'INVALID_ENV',
          `the value of \`${name}\` must be a string (write it in quotes), not ${describe(text)}`,
          field.nodeId,
          `env.${name}`,
        );
      } else {
        checkText(text, field, `env.${name}`);
      }
    }
  }

  function checkCommand(text: string, field: { nodeId: string; key: string }): void {
    const parts = checkText(text, field, 'command_name');
    if (parts === undefined) return;
    for (const part of (cel as ExpressionsModule).templatesInShellQuotes(parts.parts)) {
      if (part.kind !== 'expression') continue;
      report(
        'error',
        'TEMPLATE_IN_QUOTES',
        `the template \${{ ${part.source} }} is inside shell quotes: a value cannot be inserted there safely; ` +
          `pass it through \`env\` (env = { VALUE = "\${{ ${part.source} }}" }) and write "$VALUE"`,
        field.nodeId,
        'command_name',
      );
    }
    for (const { expression } of parts.expressions) {
      const secret = expression.inputs.find((reference) => secrets.has(reference.name));
      if (secret === undefined) continue;
      report(
        'error',
        'SECRET_IN_COMMAND',
        `\${{ ${expression.source} }} reads the secret input \`${secret.name}\`, which would show in the process ` +
          `list: pass it through \`env\` (env = { SECRET = "\${{ inputs.${secret.name} }}" }) and write "$SECRET"`,
        field.nodeId,
        'command_name',
      );
    }
  }

  /**
   * Parses a templated field once and checks each expression (nothing kept to evaluate it); reports its
   * problems. The parts and each expression's facts, when it has templates and they are valid.
   */
  function checkText(
    text: string,
    field: { nodeId: string; key: string },
    fieldName: string,
  ): { parts: TemplatePart[]; expressions: { expression: ExpressionFacts }[] } | undefined {
    if (!mayHoldTemplate(text)) return undefined;
    let parts: TemplatePart[];
    try {
      parts = parseTemplate(text);
    } catch (error) {
      reportExpression(error, field.nodeId, fieldName);
      return undefined;
    }
    if (scope === undefined) return undefined;
    let expressions: { expression: ExpressionFacts; offset: number }[];
    try {
      expressions = (cel as ExpressionsModule).checkTemplate(scope, parts);
    } catch (error) {
      reportExpression(error, field.nodeId, fieldName);
      return undefined;
    }
    let valid = true;
    for (const { expression, offset } of expressions) {
      for (const read of expression.outputs) {
        const problem = outputProblem(read.step, read.key);
        if (problem === undefined) continue;
        valid = false;
        report(
          'error',
          'UNKNOWN_OUTPUT',
          `\${{ ${expression.source} }}: ${problem} (at character ${offset + read.offset + 1} of the value)`,
          field.nodeId,
          fieldName,
        );
      }
      for (const reference of expression.steps) {
        const problem = stepProblem(field.nodeId, reference.name);
        if (problem === undefined) continue;
        valid = false;
        report(
          'error',
          problem.code,
          `\${{ ${expression.source} }}: ${problem.message}`,
          field.nodeId,
          fieldName,
        );
      }
    }
    return valid ? { parts, expressions } : undefined;
  }

  function stepProblem(
    nodeId: string,
    stepId: string,
  ): { code: ValidationCode; message: string } | undefined {
    if (!dependencies.has(stepId)) {
      const hint = suggestKey(stepId, idList);
      return {
        code: 'UNKNOWN_STEP',
        message:
          `\`${stepId}\` is not a node of this runbook` +
          (hint === undefined ? '' : ` (did you mean \`${hint}\`?)`),
      };
    }
    if (stepId === nodeId) {
      return { code: 'NOT_AN_ANCESTOR', message: `a node cannot read its own step (\`${stepId}\`)` };
    }
    if (acyclic && !isAncestor(nodeId, stepId)) {
      return {
        code: 'NOT_AN_ANCESTOR',
        message: `\`${nodeId}\` does not depend on \`${stepId}\` (directly or not), so it may run before it: add it to depends_on`,
      };
    }
    return undefined;
  }

  /** Why `steps.<stepId>.outputs.<key>` can never have a value, when its node's outputs are all known. */
  function outputProblem(stepId: string, key: string): string | undefined {
    const known = outputsOf.get(stepId);
    if (known === undefined || known.includes(key)) return undefined;
    const hint = suggestKey(key, known);
    const list = known.length === 0 ? 'none' : known.map((name) => `\`${name}\``).join(', ');
    return (
      `step \`${stepId}\` has no output \`${key}\`` +
      (hint === undefined ? '' : ` (did you mean \`${hint}\`?)`) +
      `; it declares ${list}`
    );
  }

  function reportExpression(error: unknown, nodeId: string, fieldName: string): void {
    if (!(error instanceof ExpressionError)) throw error;
    const code: ValidationCode = error.code === 'EXPRESSION_TYPE' ? 'EXPRESSION_TYPE' : 'EXPRESSION_SYNTAX';
    const where = error.offset === undefined ? '' : ` (at character ${error.offset + 1} of the value)`;
    report('error', code, `${error.message}${where}`, nodeId, fieldName);
  }
}

const CACHE_LIMIT = 1024;

/** Checks expressions against a runbook's inputs: `check` of the expression scope. */
interface Checker {
  check(source: string): ExpressionFacts;
}

// One scope per runbook; each distinct expression checked once (runbooks repeat the same ones: an input in every
// command line). Only the facts are kept, never a syntax tree: keeping 20,000 trees alive until validation ends
// doubled its time in garbage collection.
function createScope(cel: ExpressionsModule, inputs: readonly RunbookInput[]): Checker {
  const types: Record<string, InputType> = {};
  for (const input of inputs) types[input.name] = input.type;
  const scope = cel.createExpressionScope(types);
  const cache = new Map<string, ExpressionFacts | ExpressionError>();
  return {
    check(source) {
      let checked = cache.get(source);
      if (checked === undefined) {
        try {
          checked = scope.check(source);
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
          checked = error;
        }
        // Bounded: a runbook whose every expression differs would otherwise keep them all until it ends.
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(source, checked);
      }
      if (checked instanceof ExpressionError) throw checked;
      return checked;
    },
  };
}

/** Reports a template found in a field that takes none (walks tables and lists without recursion). */
function forbidTemplates(value: unknown, nodeId: string, field: string, report: Report): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (mayHoldTemplate(item) && holdsExpression(item)) {
        report(
          'error',
          'TEMPLATE_NOT_ALLOWED',
          `\`${field}\` takes no template \${{ … }} (templates work in command_name, prompt, description, ` +
            'function_params values, env values and cwd; write $${{ for a literal ${{)',
          nodeId,
          field,
        );
        return;
      }
    } else if (Array.isArray(item)) {
      for (const element of item) stack.push(element);
    } else if (isTable(item)) {
      for (const element of Object.values(item)) stack.push(element);
    }
  }
}

function holdsExpression(text: string): boolean {
  try {
    return parseTemplate(text).some((part) => part.kind === 'expression');
  } catch {
    return true;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a table';
}
