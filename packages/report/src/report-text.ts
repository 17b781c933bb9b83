import type { OutputTail, ReportAttempt } from './report-schema.js';

/** A duration to the millisecond, as an incident timeline wants it: `0.042 s`, `75.310 s`. */
export function secondsText(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

/** The facts of an attempt in one line's parts: times, duration, operator, decision, exit code. */
export function attemptFacts(attempt: ReportAttempt): string[] {
  const facts = [`started ${attempt.startTime}`];
  if (attempt.endTime !== null) facts.push(`ended ${attempt.endTime}`);
  if (attempt.durationMs !== null) facts.push(`took ${secondsText(attempt.durationMs)}`);
  if (attempt.operator !== null) facts.push(`operator ${attempt.operator}`);
  if (attempt.decision !== null) facts.push(`decision ${attempt.decision}`);
  if (attempt.exitCode !== null) facts.push(`exit code ${attempt.exitCode}`);
  return facts;
}

/** What a tail leaves out, in words; empty when it shows everything. */
export function tailNotice(tail: OutputTail): string {
  return tail.omittedChars === 0 ? '' : `(last part; ${tail.omittedChars} earlier characters not shown)`;
}
