/** "timed out after 1 second" / "timed out after 0.5 seconds": the one wording of a timeout, everywhere. */
export function timedOutMessage(seconds: number): string {
  const value = Number(seconds.toFixed(3));
  return `timed out after ${value} second${value === 1 ? '' : 's'}`;
}
