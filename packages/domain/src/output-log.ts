/** One captured line of an attempt's output, with the time its first character arrived. */
export interface OutputLogLine {
  readonly stream: 'stdout' | 'stderr';
  /** UTC ISO-8601. */
  readonly time: string;
  /** The line without its line break; secrets already masked. */
  readonly text: string;
}

/**
 * An attempt's output lines from both streams in the order they arrived (SPEC §10.1), bounded like the
 * `stdout` / `stderr` columns: the first and the last lines are kept, those in between only counted.
 */
export interface OutputLog {
  readonly lines: readonly OutputLogLine[];
  /** Lines left out after `lines[afterLine - 1]`, and their characters (line breaks included); null when none. */
  readonly dropped: { readonly afterLine: number; readonly lines: number; readonly chars: number } | null;
}
