import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { type HelperMessage, type HelperRequest, spawnHelperMain } from './spawn-helper-main.js';
import { PYTHON_SPAWN_HELPER } from './spawn-helper-python.js';

/** A program the spawn helper can run as: Node (spawn-helper-main.ts) or Python (spawn-helper-python.ts). */
export interface HelperProgram {
  readonly kind: 'node' | 'python';
  /** The interpreter's executable. */
  readonly path: string;
}

/** Where a Python 3 of the system is looked for: a fixed place, never through PATH (a shim, a virtualenv). */
const PYTHON_PATHS = ['/usr/bin/python3', '/usr/local/bin/python3'];

/**
 * The programs to try for the spawn helper, in order: Python where one is found on Linux (it starts a command
 * with vfork(2), several times cheaper than a Node process's fork(2); a Python too old for the helper exits
 * before it is ready, and the next program is tried), then Node, always there. `node` asks for Node alone. Not
 * on macOS, where /usr/bin/python3 may be a stub that asks to install the developer tools.
 */
export function helperPrograms(prefer: 'auto' | 'node' = 'auto'): HelperProgram[] {
  const node: HelperProgram = { kind: 'node', path: process.execPath };
  if (prefer === 'node' || process.platform !== 'linux') return [node];
  const python = PYTHON_PATHS.find((path) => existsSync(path));
  return python === undefined ? [node] : [{ kind: 'python', path: python }, node];
}

/** What a started helper tells its owner. */
export interface ChannelEvents {
  message(message: HelperMessage): void;
  /** The helper could not start, or it ended (may come more than once). */
  ended(): void;
}

/** The link to one helper process. */
export interface HelperChannel {
  /** Throws when the helper is gone. */
  send(request: HelperRequest): void;
  /** Whether the channel keeps this process alive (while a command runs, or someone waits for the helper). */
  hold(held: boolean): void;
  /** Lets the helper go: it stops what it started that still runs, and exits. */
  close(): void;
}

// Each helper lives in its own session (no terminal signal reaches it: Ctrl-C and a hang-up are the runner's
// to handle), in `/` (it holds no folder of the operator's busy, nor looks like one of the runbook's commands
// there), with no environment of its own (each request carries the command's; nor NODE_OPTIONS, nor PYTHON*).

const NODE_SOURCE = `(${spawnHelperMain.toString()})(require)`;

/** Starts `program`; throws when it cannot even be spawned. */
export function startHelper(program: HelperProgram, events: ChannelEvents): HelperChannel {
  return program.kind === 'python' ? startPython(program.path, events) : startNode(program.path, events);
}

function startNode(execPath: string, events: ChannelEvents): HelperChannel {
  const child = spawn(execPath, ['-e', NODE_SOURCE], {
    detached: true,
    cwd: '/',
    env: {},
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'advanced',
  });
  child.unref();
  child.channel?.unref();
  child.on('error', () => events.ended());
  child.on('exit', () => events.ended());
  child.on('disconnect', () => events.ended());
  child.on('message', (message: HelperMessage) => events.message(message));
  return {
    send: (request) => {
      child.send(request);
    },
    hold: (held) => {
      if (held) child.channel?.ref();
      else child.channel?.unref();
    },
    close: () => {
      if (child.connected) child.disconnect();
    },
  };
}

function startPython(path: string, events: ChannelEvents): HelperChannel {
  // -I: isolated from the user's site-packages and PYTHON* variables; -S: no `site` at start (~10 ms).
  const child = spawn(path, ['-I', '-S', '-c', PYTHON_SPAWN_HELPER], {
    detached: true,
    cwd: '/',
    env: {},
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  child.unref();
  const input = child.stdin as NonNullable<typeof child.stdin>;
  const output = child.stdout as unknown as Socket;
  output.unref();
  // A write after the helper died fails with EPIPE: its end is reported by the events below.
  input.on('error', () => {});
  const frames = new FrameReader((message) => events.message(message));
  output.on('data', (chunk: Buffer) => frames.push(chunk));
  output.on('close', () => events.ended());
  child.on('error', () => events.ended());
  child.on('exit', () => events.ended());
  return {
    send: (request) => {
      if (!input.writable) throw new Error('the spawn helper is gone');
      // JSON has no `undefined`: a variable the command must not have goes as null.
      input.write(`${JSON.stringify(request, (_key, value) => (value === undefined ? null : value))}\n`);
    },
    hold: (held) => {
      if (held) output.ref();
      else output.unref();
    },
    close: () => {
      input.end();
    },
  };
}

/** Cuts the Python helper's output into its messages (see spawn-helper-python.ts). */
export class FrameReader {
  #pending: Buffer = Buffer.alloc(0);

  constructor(readonly deliver: (message: HelperMessage) => void) {}

  push(chunk: Buffer): void {
    let bytes = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    while (bytes.length >= 8) {
      const headLength = bytes.readUInt32BE(0);
      const dataLength = bytes.readUInt32BE(4);
      const end = 8 + headLength + dataLength;
      if (bytes.length < end) break;
      const message = JSON.parse(bytes.toString('utf8', 8, 8 + headLength)) as HelperMessage & { d?: Buffer };
      if (dataLength > 0) message.d = bytes.subarray(8 + headLength, end);
      bytes = bytes.subarray(end);
      this.deliver(message);
    }
    // A copy of the rest: the chunk's buffer may be a pool's, reused once this returns.
    this.#pending = bytes.length === 0 ? Buffer.alloc(0) : Buffer.from(bytes);
  }
}
