// A function a runbook calls (`./hooks.mjs#changelog`): `fn(params, context)`; a string result is stored as is.

/** Logs one line per entry through the engine's logger and returns a summary. */
export function changelog(params, context) {
  const entries = Number(params.entries ?? 0);
  for (let index = 1; index <= entries; index += 1) context.logger.info(`entry ${index} of ${entries}`);
  return `${entries} entries for run ${context.runId}`;
}
