import { CliError } from './errors.js';

/** The error for a workflow with no runs in the history, naming the workflows it has (`show`, `info`). */
export async function unknownWorkflowError(
  workflow: string,
  workflows: Promise<ReadonlyArray<{ workflowName: string }>>,
  location: string,
): Promise<CliError> {
  const names = (await workflows).map((w) => JSON.stringify(w.workflowName));
  const known = names.length === 0 ? 'it has no runs at all' : `known workflows: ${names.join(', ')}`;
  return new CliError(`no runs of workflow "${workflow}" in ${location} (${known})`);
}
