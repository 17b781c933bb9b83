import { OutputFileParser } from '../output-file-parser.js';
import type { CommandRequest, CommandResult, ProcessRunner } from '../ports/process-runner.js';
import { timedOutMessage } from '../timed-out.js';

/** How `FakeProcessRunner` plays one run of a command. */
export interface FakeCommandScript {
  /** Exit code; 0 when left out. */
  readonly exitCode?: number;
  /** Sent through `onOutput` as one chunk and returned as captured stdout. */
  readonly stdout?: string;
  readonly stderr?: string;
  /** Ends as a timeout would: exit code 124 and a timeout line on stderr. */
  readonly timedOut?: boolean;
  /** Waits until the request's signal aborts, then ends as an interrupted command (exit code 130). */
  readonly untilAborted?: boolean;
  /** Rejects as a failure to spawn would, with this message. */
  readonly spawnError?: string;
  /** Process group reported through `onStart`; 5000 + the run's index when left out. */
  readonly processGroup?: number;
  /**
   * What the command writes to its `PLAYBOOK_OUTPUT` file, in that file's format (parsed as a real runner
   * parses it); left out, the runner offers no output file, as a runner of before step outputs.
   */
  readonly outputFile?: string;
  /** Called after `onStart`, before the command ends: lets a test look at the world while it "runs". */
  readonly whileRunning?: (request: CommandRequest) => void | Promise<void>;
}

/**
 * A `ProcessRunner` that runs nothing: each command line plays its script. A list of scripts is played one per
 * run, the last one repeating. A command without a script ends with exit code 127, as an unknown command would.
 */
export class FakeProcessRunner implements ProcessRunner {
  /** Every request, in order. */
  readonly requests: CommandRequest[] = [];
  readonly #scripts: Map<string, readonly FakeCommandScript[]>;
  readonly #played = new Map<string, number>();

  constructor(scripts: Readonly<Record<string, FakeCommandScript | readonly FakeCommandScript[]>> = {}) {
    this.#scripts = new Map(
      Object.entries(scripts).map(([command, script]) => [
        command,
        Array.isArray(script) ? script : [script as FakeCommandScript],
      ]),
    );
  }

  /** The command lines run, in order. */
  get commands(): string[] {
    return this.requests.map((request) => request.command);
  }

  async run(request: CommandRequest): Promise<CommandResult> {
    this.requests.push(request);
    const script = this.#nextScript(request.command);
    if (script.spawnError !== undefined) throw new Error(script.spawnError);
    request.onStart?.(script.processGroup ?? 5000 + this.requests.length);
    await script.whileRunning?.(request);
    const stdout = script.stdout ?? '';
    let stderr = script.stderr ?? '';
    if (stdout !== '') request.onOutput('stdout', stdout);
    if (stderr !== '') request.onOutput('stderr', stderr);
    if (script.untilAborted === true) {
      await untilAborted(request.signal);
      return { exitCode: 130, timedOut: false, aborted: true, stdout, stderr };
    }
    if (script.timedOut === true) {
      const line = `playbook: ${timedOutMessage(request.timeoutMs / 1000)}\n`;
      request.onOutput('stderr', line);
      stderr += line;
      return { exitCode: 124, timedOut: true, aborted: false, stdout, stderr };
    }
    const ended = { exitCode: script.exitCode ?? 0, timedOut: false, aborted: false, stdout, stderr };
    if (script.outputFile === undefined) return ended;
    const parser = new OutputFileParser();
    parser.feed(script.outputFile);
    return { ...ended, outputFile: parser.end() };
  }

  #nextScript(command: string): FakeCommandScript {
    const scripts = this.#scripts.get(command);
    if (scripts === undefined) {
      return { exitCode: 127, stderr: `sh: ${command}: no script for this command\n` };
    }
    const played = this.#played.get(command) ?? 0;
    this.#played.set(command, played + 1);
    return scripts[Math.min(played, scripts.length - 1)] as FakeCommandScript;
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
