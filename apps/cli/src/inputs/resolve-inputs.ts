import { checkInputValue, type InputValue, type RunbookInput } from '@playbook/domain';

/** Where an input's value came from, highest first (SPEC §8.1). */
export type InputSource = 'var' | 'vars-file' | 'env' | 'stored' | 'default' | 'prompt';

/** What the inputs are resolved from. */
export interface InputSources {
  /** `--var name=value` flags, as given. */
  readonly vars: readonly string[];
  /** The parsed `--vars-file`, with its path for messages. */
  readonly varsFile?: { readonly path: string; readonly values: Readonly<Record<string, unknown>> };
  /** The process environment (`PLAYBOOK_VAR_<name>`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** On resume: the values stored with the run (secrets are never stored). */
  readonly stored?: Readonly<Record<string, InputValue | null>>;
  /** Asks a missing input (a terminal or piped answers); undefined without an operator. */
  readonly ask?: (input: RunbookInput) => Promise<string>;
  /** Whether a wrong answer is asked again (a terminal), rather than being a problem (piped answers). */
  readonly askAgain?: boolean;
  /** Tells the operator why a question is asked again. */
  readonly onRetry?: (message: string) => void;
  /**
   * An input without a value is no problem and is not asked: it is left out of `values` (a plan, which shows it
   * as decided at run time).
   */
  readonly leaveMissing?: boolean;
}

/** The resolved values, or every problem found (each one line). */
export type ResolvedInputs =
  | {
      readonly ok: true;
      readonly values: Readonly<Record<string, InputValue>>;
      /** Lines to show as warnings (names of a vars file the runbook does not declare). */
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly problems: readonly string[]; readonly warnings: readonly string[] };

const ENV_PREFIX = 'PLAYBOOK_VAR_';
/** Answers to one input question before giving up. */
const MAX_TRIES = 3;

/**
 * Gives every declared input its value: `--var`, then (on resume) the stored value, then the vars file, then
 * `PLAYBOOK_VAR_<name>`, then the default, then the operator — each converted to its type and checked.
 * Every problem is collected, so that the operator sees all of them at once; nothing is asked once a problem
 * is known. On resume a `--var` that differs from the stored value is a problem: inputs are fixed for a run.
 */
export async function resolveInputs(
  inputs: readonly RunbookInput[],
  sources: InputSources,
): Promise<ResolvedInputs> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const declared = new Map(inputs.map((input) => [input.name, input]));
  const given = new Map<string, string>();
  for (const flag of sources.vars) {
    const eq = flag.indexOf('=');
    const name = eq === -1 ? flag : flag.slice(0, eq);
    if (eq === -1 || name === '') {
      problems.push(`--var expects <name>=<value>, got ${JSON.stringify(flag)}`);
    } else if (!declared.has(name)) {
      problems.push(`--var ${name}: the runbook declares no input \`${name}\`${declaredList(inputs)}`);
    } else {
      given.set(name, flag.slice(eq + 1));
    }
  }
  if (sources.varsFile !== undefined) {
    const unknown = Object.keys(sources.varsFile.values).filter((name) => !declared.has(name));
    if (unknown.length > 0) {
      warnings.push(
        `${sources.varsFile.path}: ignored ${unknown.length === 1 ? 'a name' : 'names'} the runbook does not declare: ${unknown.join(', ')}`,
      );
    }
  }

  const values: Record<string, InputValue> = {};
  const missing: RunbookInput[] = [];
  for (const input of inputs) {
    const candidate = pick(input, sources, given);
    if (candidate === undefined) {
      missing.push(input);
      continue;
    }
    const checked = checkInputValue(input, candidate.raw, candidate.text);
    if (!checked.ok) {
      problems.push(`${candidate.label}: ${checked.reason}`);
      continue;
    }
    const stored = sources.stored?.[input.name];
    if (candidate.source === 'var' && stored !== undefined && stored !== null && stored !== checked.value) {
      problems.push(
        `${candidate.label}: the run was started with ${input.name}=${String(stored)}; inputs are fixed for a run (start a new run to change it)`,
      );
      continue;
    }
    values[input.name] = checked.value;
  }
  if (
    missing.length > 0 &&
    sources.leaveMissing !== true &&
    (sources.ask === undefined || problems.length > 0)
  ) {
    for (const input of missing) {
      problems.push(
        `input \`${input.name}\` has no value: give it with --var ${input.name}=<value>, a --vars-file or ${ENV_PREFIX}${input.name}` +
          (sources.ask === undefined ? ' (no operator to ask)' : ''),
      );
    }
  }
  if (problems.length > 0) return { ok: false, problems, warnings };
  if (sources.leaveMissing === true) return { ok: true, values, warnings };
  for (const input of missing) {
    // Asked in declaration order (piped answers: one line each). A wrong answer on a terminal is asked again;
    // a piped one is a problem, since the next line belongs to the next question.
    for (let tries = 1; ; tries++) {
      let answer: string;
      try {
        answer = await (sources.ask as (input: RunbookInput) => Promise<string>)(input);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return { ok: false, problems: [`input \`${input.name}\` has no value: ${reason}`], warnings };
      }
      const checked = checkInputValue(input, answer, true);
      if (checked.ok) {
        values[input.name] = checked.value;
        break;
      }
      if (sources.askAgain !== true || tries >= MAX_TRIES) {
        return { ok: false, problems: [`input \`${input.name}\`: ${checked.reason}`], warnings };
      }
      sources.onRetry?.(`input \`${input.name}\`: ${checked.reason}; try again`);
    }
  }
  return { ok: true, values, warnings };
}

interface Candidate {
  readonly raw: unknown;
  /** Given as text (the command line, the environment): converted to the input's type. */
  readonly text: boolean;
  readonly source: InputSource;
  /** Names the value's origin in a message. */
  readonly label: string;
}

function pick(
  input: RunbookInput,
  sources: InputSources,
  given: ReadonlyMap<string, string>,
): Candidate | undefined {
  const name = input.name;
  const flag = given.get(name);
  if (flag !== undefined) return { raw: flag, text: true, source: 'var', label: `--var ${name}` };
  // On resume the stored value wins over a vars file or the environment: inputs are fixed for the run.
  const stored = sources.stored?.[name];
  // null: a secret input, whose value was never stored.
  if (stored !== undefined && stored !== null)
    return { raw: stored, text: false, source: 'stored', label: `stored input ${name}` };
  if (sources.varsFile !== undefined && Object.hasOwn(sources.varsFile.values, name)) {
    return {
      raw: sources.varsFile.values[name],
      text: false,
      source: 'vars-file',
      label: `${sources.varsFile.path}: ${name}`,
    };
  }
  const env = sources.env[`${ENV_PREFIX}${name}`];
  if (env !== undefined) return { raw: env, text: true, source: 'env', label: `${ENV_PREFIX}${name}` };
  if (input.default !== undefined) {
    return { raw: input.default, text: false, source: 'default', label: `the default of ${name}` };
  }
  return undefined;
}

function declaredList(inputs: readonly RunbookInput[]): string {
  return inputs.length === 0
    ? ' (it declares no inputs)'
    : ` (declared: ${inputs.map((input) => input.name).join(', ')})`;
}
