import type { FunctionReference, Problem } from '@playbook/parser';

/**
 * Loads each Function node's function as the engine will (SPEC §2.3: "validate reports it too"), at the
 * position the parser found its `function_name`: `validate` reports what it finds, `run` and `resume` refuse
 * to start. This imports the user's modules, so their top-level code runs, exactly
 * as it would at the start of a run.
 */
export async function functionProblems(
  references: readonly FunctionReference[],
  directory: string,
  file: string,
): Promise<Problem[]> {
  if (references.length === 0) return [];
  const { NodeFunctionLoader } = await import('@playbook/engine/node');
  const loader = new NodeFunctionLoader();
  const problems: Problem[] = [];
  for (const { nodeId, functionName, line, column } of references) {
    try {
      await loader.load(functionName, directory);
    } catch (error) {
      problems.push({
        severity: 'error',
        code: 'FUNCTION_NOT_FOUND',
        message: error instanceof Error ? error.message : String(error),
        file,
        nodeId,
        field: 'function_name',
        line,
        column,
      });
    }
  }
  return problems;
}
