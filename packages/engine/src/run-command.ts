import type { CommandNode, OutputLog } from '@playbook/domain';
import type { AttemptContext, AttemptResult } from './attempt-context.js';
import { commandDirectory, timeoutSeconds } from './attempt-context.js';
import type { WhatRan } from './ports/identity.js';
import type { CommandResult, OutputStream } from './ports/process-runner.js';
import { timedOutMessage } from './timed-out.js';

/** One attempt of a Command node: its shell line in the runbook's directory, output streamed and captured. */
export async function runCommand(context: AttemptContext<CommandNode>): Promise<AttemptResult> {
  const { node, repository, run, output } = context;
  // Beside other commands, the group is recorded under this attempt, so that the owner record keeps every one.
  const addGroup = context.concurrent ? repository.addOwnerProcessGroup?.bind(repository) : undefined;
  const attemptKey = { ...run, nodeId: node.id, attempt: context.attempt };
  const seconds = timeoutSeconds(context);
  // The owner record names the running process group so that a resume after a crash can stop it.
  let ownerWrite: Promise<void> | undefined;
  // Whether the command ran at all: a runner that fails after the start (it lost the process) is no failure to start.
  let started = false;
  let result: CommandResult;
  const command = node.commandName;
  const cwd = commandDirectory(context.runbook, node.cwd);
  const env = { ...context.env, ...node.env, ...commandContextEnv(context) };
  // Recorded from what is handed to the runner, so that the history shows exactly what ran (SPEC §10.1).
  const ran: WhatRan = { command, params: null, cwd, envKeys: Object.keys(env).sort() };
  try {
    result = await context.processRunner.run({
      command,
      cwd,
      env,
      timeoutMs: seconds * 1000,
      signal: context.signal,
      maxOutputBytes: context.settings.maxOutputBytes,
      onOutput: (stream, chunk) => output.write(stream, chunk),
      ...(context.announceStart === undefined ? {} : { onSpawning: context.announceStart }),
      onStart: (processGroup) => {
        started = true;
        ownerWrite =
          addGroup === undefined
            ? repository.setOwnerProcessGroup(run, processGroup)
            : addGroup(attemptKey, processGroup);
        // Awaited once the command ends; until then a failure (a full disk) must not count as unhandled, which
        // would kill the process with a stack trace in the middle of the command.
        ownerWrite.catch(() => {});
        // The runner may hold the command until its group is on record (see `CommandRequest.onStart`).
        return ownerWrite;
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await ownerWrite;
    output.end();
    if (started) {
      // What it printed until then is kept: the history must not lose output the operator already saw.
      return {
        status: 'nok',
        ran,
        exitCode: null,
        stdout: output.captured('stdout') ?? linesOf(output.log(), 'stdout'),
        stderr: output.captured('stderr') ?? linesOf(output.log(), 'stderr'),
        reason: `lost track of the command: ${message}`,
        exception: message,
      };
    }
    // A runner's own refusal (a missing working directory) says all there is: its stack would only put the
    // bundle's internals into `show --json` and the incident report. Anything unexpected keeps its stack.
    const explained = (error as { code?: unknown } | null)?.code === 'COMMAND_SPAWN';
    return {
      status: 'nok',
      ran,
      reason: `could not start the command: ${message}`,
      exception:
        error instanceof Error && error.stack !== undefined && !explained
          ? error.stack
          : `could not start the command: ${message}`,
    };
  }
  // The group is cleared by the attempt's finishAttempt, in the same write as the outcome; the recording must
  // land before it.
  await ownerWrite;
  // What the command printed last may still be held back as the possible start of a secret: let it go now.
  output.end();
  const captured = {
    exitCode: result.exitCode,
    stdout: output.captured('stdout') ?? result.stdout,
    stderr: output.captured('stderr') ?? result.stderr,
    ran,
  };
  if (result.aborted) {
    return {
      status: 'nok',
      reason: 'interrupted',
      operatorDecision: 'interrupted',
      interrupted: true,
      ...captured,
    };
  }
  if (result.timedOut) {
    return { status: 'nok', reason: timedOutMessage(seconds), timedOut: true, ...captured };
  }
  // An unusable output file (a malformed line, a value over the cap) fails the attempt: nothing of it is kept.
  const file = result.outputFile;
  if (file !== undefined && !file.ok) {
    const failed = result.exitCode === 0 ? '' : ` (and exit code ${result.exitCode})`;
    // Stored as the attempt's exception: history shows why a command that exited 0 is `nok`.
    return { status: 'nok', reason: `${file.error}${failed}`, exception: file.error, ...captured };
  }
  const outputs = file === undefined ? {} : { outputs: file.outputs };
  if (result.exitCode !== 0) {
    return { status: 'nok', reason: `exit code ${result.exitCode}`, ...captured, ...outputs };
  }
  return { status: 'ok', reason: null, ...captured, ...outputs };
}

/**
 * Where a command runs, as environment variables: what a Function gets as its `context`. A command can then
 * name its own log files, tell a retry from a first attempt, or tag what it creates with the run id.
 */
export function commandContextEnv(context: AttemptContext<CommandNode>): Record<string, string> {
  return {
    PLAYBOOK_WORKFLOW: context.run.workflowName,
    PLAYBOOK_RUN_ID: String(context.run.runId),
    PLAYBOOK_NODE_ID: context.node.id,
    PLAYBOOK_ATTEMPT: String(context.attempt),
  };
}

/**
 * A stream's text rebuilt from the ordered lines, for a command whose runner failed before handing back what it
 * captured (the runner, not the engine, captures a command's output when no secret must be masked).
 */
function linesOf(log: OutputLog, stream: OutputStream): string {
  let text = '';
  for (const line of log.lines) if (line.stream === stream) text += `${line.text}\n`;
  return text;
}
