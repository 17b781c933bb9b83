import { setTimeout as delay } from 'node:timers/promises';
import { MAX_TIMER_MS } from '../max-timer-ms.js';
import type { FunctionContext, PlaybookFunction } from '../ports/function-loader.js';

/** `playbook:notify` — writes `params.message` to the operator's terminal (and the captured stdout). */
export const notify: PlaybookFunction = (params, context) => {
  const { message } = params;
  context.logger.info(typeof message === 'string' ? message : JSON.stringify(message ?? ''));
};

/** `playbook:sleep` — waits `params.seconds`; stops at once, rejecting, when the context's signal fires. */
export const sleep: PlaybookFunction = async (params, context: FunctionContext) => {
  const seconds = Number(params.seconds ?? 0);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new Error(
      `playbook:sleep: seconds must be a non-negative number, got ${JSON.stringify(params.seconds)}`,
    );
  }
  let remaining = seconds * 1000;
  try {
    do {
      const step = Math.min(remaining, MAX_TIMER_MS);
      await delay(step, undefined, { signal: context.signal });
      remaining -= step;
    } while (remaining > 0);
  } catch (error) {
    if (context.signal.aborted) throw new Error('playbook:sleep: aborted', { cause: error });
    throw error;
  }
};

/** `playbook:fail` — always throws `params.message`, to rehearse the failure path of a runbook. */
export const fail: PlaybookFunction = (params) => {
  const { message } = params;
  throw new Error(typeof message === 'string' && message !== '' ? message : 'playbook:fail');
};

/** Built-in names, with the dotted names of the original Python prototype as aliases. */
export const BUILTIN_FUNCTIONS: ReadonlyMap<string, PlaybookFunction> = new Map([
  ['playbook:notify', notify],
  ['playbook:sleep', sleep],
  ['playbook:fail', fail],
  ['playbook.functions.notify', notify],
  ['playbook.functions.sleep', sleep],
  ['playbook.functions.fail', fail],
]);
