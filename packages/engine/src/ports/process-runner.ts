import type { OutputFileResult } from '../output-file-parser.js';

/** Which of a command's (or a function logger's) two output streams a chunk belongs to. */
export type OutputStream = 'stdout' | 'stderr';

/** One shell command to run. */
export interface CommandRequest {
  /** One shell command line, run through `/bin/sh -c`. */
  readonly command: string;
  /** Working directory: the runbook file's directory. */
  readonly cwd: string;
  /** Extra environment variables on top of the process's own. */
  readonly env?: Readonly<Record<string, string>>;
  /** Per-attempt limit in milliseconds; on expiry the whole process group is stopped and the exit code is 124. */
  readonly timeoutMs: number;
  /** Aborting it stops the whole process group (operator interrupt). */
  readonly signal: AbortSignal;
  /** Cap of the captured copy of each stream; past it the head and tail are kept with a marker. */
  readonly maxOutputBytes: number;
  /** Called with each chunk as it arrives; the live stream is never cut. */
  readonly onOutput: (stream: OutputStream, chunk: string) => void;
  /**
   * Called at most once, as soon as the runner has asked for the command to start (before `onStart` and any
   * output; never for a command not tried at all): what must come before the command's output but not before its
   * start — telling the operator — then runs while the command is being forked. Only a runner that says so
   * (`callsOnSpawning`) is given it.
   */
  readonly onSpawning?: () => void;
  /**
   * Called once the command's process group exists, with its id, to write it to the run's owner record; returns
   * the write. A runner that can hold the command until the write has landed does so, and runs nothing of it if
   * the write fails: a crash of this process at any moment then leaves no command whose group the record does
   * not name (`NodeProcessRunner` holds the commands it forks itself; its spawn helper stops every group it
   * started when this process is gone).
   */
  readonly onStart?: (processGroup: number) => void | Promise<void>;
}

/** How a command ended, and what it wrote. */
export interface CommandResult {
  /** Exit code; 124 on timeout; 128 + n when killed by signal n. */
  readonly exitCode: number;
  /** True when stopped because it ran past `timeoutMs`. */
  readonly timedOut: boolean;
  /** True when stopped because `signal` was aborted. */
  readonly aborted: boolean;
  /** Captured stdout, bounded by `maxOutputBytes`. */
  readonly stdout: string;
  /** Captured stderr, bounded by `maxOutputBytes`; ends with the timeout line when timed out. */
  readonly stderr: string;
  /**
   * What the command wrote to the file named by its `PLAYBOOK_OUTPUT` variable (SPEC §8.3), parsed with
   * `OutputFileParser`. A runner gives every command a fresh, private file and deletes it once the command ends;
   * one that offers no such file leaves this out, and the command has no outputs.
   */
  readonly outputFile?: OutputFileResult;
}

/** Runs shell commands in their own process group. Adapter: `NodeProcessRunner`. */
export interface ProcessRunner {
  /**
   * True when `run` calls `onSpawning` for every command it tries, promptly (before waiting on the command):
   * the engine then tells a Command's start from there. Otherwise it tells it before calling `run`.
   */
  readonly callsOnSpawning?: boolean;
  /** Runs one command to its end; never rejects for a failing command, only for a failure to spawn. */
  run(request: CommandRequest): Promise<CommandResult>;
  /**
   * Optional, for a runner that keeps a copy of this process's environment between commands (reading
   * `process.env` costs a call into C++ for each variable): read it again before the next command. The engine
   * calls it as each run or resume starts, once a Function step has run (its code may change `process.env`) and
   * once a question to the operator is answered (the prompter's code may too).
   */
  refreshEnvironment?(): void;
}

/** Processes of this host, as seen by resume and stale-run recovery when a run's owner may have died. Adapter: `NodeProcessTable`. */
export interface ProcessTable {
  /** This host's name, compared with a run owner's. */
  readonly host: string;
  /** This process's id, recorded as a run's owner. */
  readonly pid: number;
  /** Whether a process with this id is alive on this host. */
  isAlive(pid: number): boolean;
  /** Stops a whole process group: SIGTERM, then SIGKILL after `graceMs`. Resolves when it is gone or was never there. */
  killGroup(processGroup: number, graceMs: number): Promise<void>;
  /**
   * Optional: removes what process `pid` of this host, found gone, left behind for its commands (their
   * `PLAYBOOK_OUTPUT` files). A recovery calls it once it has stopped the dead owner's process group.
   */
  removeLeftovers?(pid: number): Promise<void>;
}
