/**
 * A reader that stops early (`playbook show deploy | head -3`) closes the pipe under us, and Node then emits
 * EPIPE as an unhandled 'error' that kills the process with a stack trace. Instead, later output is dropped
 * quietly and the command finishes as it would have (a run keeps recording its history) with its own exit code.
 */
export function ignoreBrokenPipe(stream: NodeJS.WritableStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}
