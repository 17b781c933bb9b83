// Functions of the example runbooks. A Playbook function is called as `fn(params, context)`: it succeeds when
// it returns (or its promise resolves) and fails when it throws. `context.logger` lines appear under the step
// like command output; `context.signal` fires on timeout or Ctrl-C.
import { setTimeout as delay } from 'node:timers/promises';

/** Pretends to ask the load balancer how many nodes of a pool are free. */
export async function checkCapacity({ pool, min_free: minFree = 1 }, { logger, signal }) {
  logger.info(`asking the load balancer about pool "${pool}"…`);
  await delay(400, undefined, { signal });
  const free = 5;
  if (free < minFree) {
    throw new Error(`pool "${pool}" has ${free} free nodes, ${minFree} needed`);
  }
  logger.info(`pool "${pool}": ${free} free nodes (${minFree} needed)`);
  return { pool, free };
}

/** Pretends to move traffic from one pool to another, in steps. */
export async function switchTraffic({ from, to }, { logger, signal }) {
  for (const share of [10, 50, 100]) {
    await delay(250, undefined, { signal });
    logger.info(`${share}% of traffic on ${to}`);
  }
  return `traffic moved from ${from} to ${to}`;
}
