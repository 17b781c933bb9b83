import type { FunctionNode } from '@playbook/domain';
import type { AttemptContext, AttemptResult } from './attempt-context.js';
import { INTERRUPTED, runbookDirectory, timeoutSeconds } from './attempt-context.js';
import { BoundedOutput } from './bounded-output.js';
import { MAX_TIMER_MS } from './max-timer-ms.js';
import { firstLine } from './node-statuses.js';
import type { FunctionContext, FunctionLogger, PlaybookFunction } from './ports/function-loader.js';
import type { OutputStream } from './ports/process-runner.js';
import { redactSecrets } from './redact-secrets.js';
import { timedOutMessage } from './timed-out.js';

/**
 * One attempt of a Function node: load, call `fn(params, context)` under a time limit, record what it gave.
 * `secrets` (the `${ask:secret}` values in `params`) are masked in everything the attempt keeps or emits: its
 * logged lines, its result and what it threw (see `redactSecrets` for the shortest value masked).
 */
export async function runFunction(
  context: AttemptContext<FunctionNode>,
  params: Record<string, unknown>,
  secrets: readonly string[] = [],
): Promise<AttemptResult> {
  const { node, attempt } = context;
  const directory = runbookDirectory(context.runbook);
  let fn: PlaybookFunction;
  try {
    fn = await context.functionLoader.load(node.functionName, directory);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      status: 'nok',
      reason: `cannot load function "${node.functionName}": ${firstLine(message)}`,
      exception: message,
    };
  }

  const seconds = timeoutSeconds(context);
  const captured = {
    stdout: new BoundedOutput(context.settings.maxOutputBytes),
    stderr: new BoundedOutput(context.settings.maxOutputBytes),
  };
  let open = true;
  const write = (stream: OutputStream, message: string) => {
    // Lines logged after the attempt ended (a function that ignored its signal) belong to no attempt.
    if (!open) return;
    // Each logged message is masked whole before it is captured or emitted, so a secret is masked wherever it
    // falls in one message (several lines included). A function that logs a secret in pieces, over several
    // calls, is not caught: no call sees the whole value (documented in docs/reliability.md).
    const chunk = redactSecrets(`${message}\n`, secrets);
    captured[stream].write(chunk);
    context.emit({ type: 'output', nodeId: node.id, attempt, stream, chunk });
  };
  const logger: FunctionLogger = {
    info: (message) => write('stdout', message),
    warn: (message) => write('stderr', message),
    error: (message) => write('stderr', message),
  };

  const controller = new AbortController();
  let timedOut = false;
  const onInterrupt = () => controller.abort(context.signal.reason);
  context.signal.addEventListener('abort', onInterrupt, { once: true });
  if (context.signal.aborted) onInterrupt();
  // A real timer, not the Clock port: Clock only reads the time that runs and attempts record, and a function
  // runs in this process in real time, so its limit must fire in real time too (the command runner, an
  // adapter, keeps its own timer the same way). Longer limits are capped: see MAX_TIMER_MS.
  const timer = setTimeout(
    () => {
      timedOut = true;
      controller.abort(new Error(timedOutMessage(seconds)));
    },
    Math.min(seconds * 1000, MAX_TIMER_MS),
  );

  const functionContext: FunctionContext = {
    signal: controller.signal,
    workflowName: context.run.workflowName,
    runId: context.run.runId,
    nodeId: node.id,
    runbookDirectory: directory,
    logger,
  };
  const call = Promise.resolve().then(() => fn(params, functionContext));
  // A function that ignores its signal keeps running; its late rejection must not surface as unhandled.
  call.catch(() => {});
  let settled: { kind: 'value'; value: unknown } | { kind: 'error'; error: unknown } | { kind: 'stopped' };
  try {
    settled = await Promise.race([
      call.then(
        (value) => ({ kind: 'value', value }) as const,
        (error: unknown) => ({ kind: 'error', error }) as const,
      ),
      stopped(controller.signal),
    ]);
  } finally {
    clearTimeout(timer);
    context.signal.removeEventListener('abort', onInterrupt);
    open = false;
  }

  const output = () => ({ stdout: captured.stdout.toString(), stderr: captured.stderr.toString() });
  if (settled.kind === 'stopped' || controller.signal.aborted) {
    if (!timedOut) return { ...INTERRUPTED, ...output() };
    const message = timedOutMessage(seconds);
    const line = `playbook: function ${message}\n`;
    captured.stderr.write(line);
    context.emit({ type: 'output', nodeId: node.id, attempt, stream: 'stderr', chunk: line });
    return { status: 'nok', reason: message, exception: `Function ${message}`, ...output() };
  }
  if (settled.kind === 'error') {
    const exception = redactSecrets(describeThrown(settled.error), secrets);
    return { status: 'nok', reason: `threw: ${firstLine(exception)}`, exception, ...output() };
  }
  const text = resultText(settled.value);
  return {
    status: 'ok',
    reason: null,
    resultText: text === null ? null : redactSecrets(text, secrets),
    ...output(),
  };
}

function stopped(signal: AbortSignal): Promise<{ kind: 'stopped' }> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve({ kind: 'stopped' });
    signal.addEventListener('abort', () => resolve({ kind: 'stopped' }), { once: true });
  });
}

/** A string as is, anything else as JSON; nothing (undefined) stores nothing. */
function resultText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value === undefined) return null;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Cycles and BigInts have no JSON form.
    return String(value);
  }
}

/** The message and the stack of what a function threw; a stack usually repeats the message on its first line. */
function describeThrown(error: unknown): string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : String(error);
  const stack = error.stack;
  if (stack === undefined) return error.message;
  return stack.includes(error.message) ? stack : `${error.message}\n${stack}`;
}
