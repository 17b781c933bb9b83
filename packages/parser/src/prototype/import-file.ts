import { readRunbookText } from '../load-runbook.js';
import { type ImportResult, importPrototypeRunbook } from './import-runbook.js';

/**
 * Reads a runbook file of the Python prototype and converts it ({@link importPrototypeRunbook}), with the
 * result's expressions type-checked. File-level problems (missing, too large, not UTF-8) are problems too.
 */
export async function importPrototypeFile(path: string): Promise<ImportResult> {
  const read = await readRunbookText(path);
  if (!read.ok) return { ok: false, problems: read.problems, notes: [] };
  const cel = await import('@playbook/expressions/cel');
  return importPrototypeRunbook(read.text, path, { cel });
}
