import { readFileSync } from 'node:fs';
import type { InputValue, Runbook, RunbookInput } from '@playbook/domain';
import { CliError, ExitCode } from '../errors.js';
import { visibleLine } from '../terminal/visible.js';
import { resolveInputs } from './resolve-inputs.js';
import { parseVarsFile } from './vars-file.js';

/** What a command (`run`, `resume`, `plan`) resolves a runbook's inputs from. */
export interface CommandInputsRequest {
  readonly runbook: Runbook;
  /** `--var` flags, as given. */
  readonly vars: readonly string[];
  /** `--vars-file`, as given. */
  readonly varsFile: string | undefined;
  /** Makes a path from the command line absolute. */
  readonly resolvePath: (path: string) => string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** On resume: the values stored with the run. */
  readonly stored?: Readonly<Record<string, InputValue | null>> | undefined;
  /** Asks a missing input; undefined without an operator. */
  readonly ask?: ((input: RunbookInput) => Promise<string>) | undefined;
  /** Whether a wrong answer is asked again (a terminal). */
  readonly askAgain: boolean;
  /** A plan: an input without a value is left out of the result instead of being a problem. */
  readonly leaveMissing?: boolean;
  /** Writes one line on stderr: a warning, or one of several problems before the last one is thrown. */
  readonly report: (kind: 'warning' | 'error', line: string) => void;
}

/**
 * The values of the runbook's inputs from --var, --vars-file, PLAYBOOK_VAR_<name>, the stored run (resume),
 * defaults and the operator (`resolveInputs`). Any problem: every one is reported and a `CliError` (exit 2) is
 * thrown, before anything is run or written.
 */
export async function commandInputs(
  request: CommandInputsRequest,
): Promise<Readonly<Record<string, InputValue>>> {
  const declared = request.runbook.inputs ?? [];
  if (declared.length === 0 && request.vars.length === 0 && request.varsFile === undefined) return {};
  let varsFile: { path: string; values: Readonly<Record<string, unknown>> } | undefined;
  const problems: string[] = [];
  if (request.varsFile !== undefined) {
    let text: string | undefined;
    try {
      text = readFileSync(request.resolvePath(request.varsFile), 'utf8');
    } catch (error) {
      problems.push(
        `--vars-file ${request.varsFile}: cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
    }
    if (text !== undefined) {
      const parsed = parseVarsFile(request.varsFile, text);
      if (parsed.ok) varsFile = { path: request.varsFile, values: parsed.values };
      else problems.push(`--vars-file ${request.varsFile}: ${parsed.reason}`);
    }
  }
  const resolved = await resolveInputs(declared, {
    vars: request.vars,
    env: request.env,
    ...(varsFile === undefined ? {} : { varsFile }),
    ...(request.stored === undefined ? {} : { stored: request.stored }),
    ...(request.ask === undefined || problems.length > 0 ? {} : { ask: request.ask }),
    askAgain: request.askAgain,
    ...(request.leaveMissing === true ? { leaveMissing: true } : {}),
    onRetry: (message) => request.report('warning', visibleLine(message)),
  });
  for (const warning of resolved.warnings) request.report('warning', visibleLine(warning));
  if (!resolved.ok) for (const problem of resolved.problems) problems.push(problem);
  if (problems.length === 0 && resolved.ok) return resolved.values;
  for (const problem of problems.slice(0, -1)) request.report('error', visibleLine(problem));
  throw new CliError(
    `${problems.at(-1)}${problems.length > 1 ? ` (${problems.length} problems with the inputs; nothing was run)` : ' (nothing was run)'}`,
    ExitCode.usage,
  );
}
