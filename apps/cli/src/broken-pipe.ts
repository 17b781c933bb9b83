/** Errors of a standard stream whose other end is gone; anything else still surfaces. */
const LOST = new Set(['EPIPE', 'EIO', 'ERR_STREAM_DESTROYED']);

/**
 * A reader that stops early (`playbook show deploy | head -3`) closes the pipe under us, and a terminal that was
 * closed (SIGHUP: the window shut, ssh dropped) fails every write and mode change with EIO; Node then emits the
 * error as an unhandled 'error' that kills the process with a stack trace — in the middle of a step whose end
 * must still be recorded. Instead, later output is dropped quietly and the command finishes as it would have (a
 * run keeps recording its history) with its own exit code. The prompter gives it stdin too: switching a lost
 * terminal out of raw mode fails the same way.
 */
export function ignoreBrokenPipe(stream: NodeJS.ReadableStream | NodeJS.WritableStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== undefined && LOST.has(error.code)) return;
    throw error;
  });
}
