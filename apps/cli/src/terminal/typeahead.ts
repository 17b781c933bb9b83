/**
 * Calls `then` once the keys typed before a question was shown have been read (and are to be dropped).
 *
 * Keys pressed while a command ran wait in the terminal (or in stdin's buffer) until the next question resumes
 * stdin; they are then read in the very next turn of the event loop. A stray Enter would otherwise answer a
 * question the operator has not seen yet (retry, or ok to a Manual step). Two turns of the loop later, any
 * such input has been delivered; nothing a person types in reaction to the question arrives that fast.
 */
export function afterTypeahead(then: () => void): void {
  setImmediate(() => setImmediate(then));
}
