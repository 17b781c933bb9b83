import type { FunctionNode } from '@playbook/domain';
import type { AttemptContext, AttemptResult } from './attempt-context.js';
import { INTERRUPTED, runbookDirectory, timeoutSeconds } from './attempt-context.js';
import { MAX_TIMER_MS } from './max-timer-ms.js';
import { firstLine } from './node-statuses.js';
import type { FunctionContext, FunctionLogger, PlaybookFunction } from './ports/function-loader.js';
import { functionOutputs } from './step-outputs.js';
import { timedOutMessage } from './timed-out.js';

/**
 * One attempt of a Function node: load, call `fn(params, context)` under a time limit, record what it gave.
 * Its logged lines go through `context.output` (masked, emitted, captured) and its result and what it threw
 * through the run's secret mask, as serialised (`SecretMasker.maskResult`) — before anything derives a line
 * from them.
 */
export async function runFunction(
  context: AttemptContext<FunctionNode>,
  params: Record<string, unknown>,
): Promise<AttemptResult> {
  const { node, masker, output } = context;
  const directory = runbookDirectory(context.runbook);
  let fn: PlaybookFunction;
  try {
    fn = await context.functionLoader.load(node.functionName, directory);
  } catch (error) {
    const message = masker.mask(error instanceof Error ? error.message : String(error));
    return {
      status: 'nok',
      reason: `cannot load function "${node.functionName}": ${firstLine(message)}`,
      exception: message,
    };
  }

  const seconds = timeoutSeconds(context);
  // Each message is one line of its stream. A secret logged in pieces over several calls is still masked: the
  // stream holds back enough characters to see it whole.
  const logger: FunctionLogger = {
    info: (message) => output.write('stdout', `${message}\n`),
    warn: (message) => output.write('stderr', `${message}\n`),
    error: (message) => output.write('stderr', `${message}\n`),
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
  }

  // A timeout aborts the controller: the attempt ends below as stopped.
  if (timedOut) output.write('stderr', `playbook: function ${timedOutMessage(seconds)}\n`);
  // Lines logged after this (a function that ignored its signal) belong to no attempt.
  output.end();
  const captured = { stdout: output.captured('stdout') ?? null, stderr: output.captured('stderr') ?? null };
  if (settled.kind === 'stopped' || controller.signal.aborted) {
    if (!timedOut) return { ...INTERRUPTED, ...captured };
    const message = timedOutMessage(seconds);
    return { status: 'nok', reason: message, exception: `Function ${message}`, timedOut: true, ...captured };
  }
  if (settled.kind === 'error') {
    const exception = masker.mask(describeThrown(settled.error));
    return { status: 'nok', reason: `threw: ${firstLine(exception)}`, exception, ...captured };
  }
  const outputs = functionOutputs(settled.value);
  return {
    status: 'ok',
    reason: null,
    resultText: masker.maskResult(settled.value),
    ...captured,
    ...(outputs === undefined ? {} : { outputs }),
  };
}

function stopped(signal: AbortSignal): Promise<{ kind: 'stopped' }> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve({ kind: 'stopped' });
    signal.addEventListener('abort', () => resolve({ kind: 'stopped' }), { once: true });
  });
}

/** The message and the stack of what a function threw; a stack usually repeats the message on its first line. */
function describeThrown(error: unknown): string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : String(error);
  const stack = error.stack;
  if (stack === undefined) return error.message;
  return stack.includes(error.message) ? stack : `${error.message}\n${stack}`;
}
