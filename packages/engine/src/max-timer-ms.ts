/** The longest delay `setTimeout` honours (about 24.8 days); past it, Node fires the timer at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
