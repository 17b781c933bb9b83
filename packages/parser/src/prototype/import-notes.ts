/** One thing `playbook import` changed or could not carry over, at its line in the prototype's file. */
export interface ImportNote {
  /** `change`: rewritten to an equivalent; `warning`: no exact equivalent, kept as close as possible. */
  readonly severity: 'change' | 'warning';
  /** 1-based line in the source file. */
  readonly line: number;
  /** The node id, `runbook` or `variables`. */
  readonly nodeId?: string;
  readonly field?: string;
  /** One line, human. */
  readonly message: string;
}

/** Collects notes for one table, locating each by its key path in the source. */
export interface NoteSink {
  change(field: string | undefined, message: string): void;
  warning(field: string | undefined, message: string): void;
}

/** One line: `file:line: change: [node.field] message`. */
export function formatImportNote(note: ImportNote, fileName: string): string {
  const subject =
    note.nodeId === undefined ? '' : `[${note.nodeId}${note.field === undefined ? '' : `.${note.field}`}] `;
  return `${fileName}:${note.line}: ${note.severity}: ${subject}${note.message}`;
}
