import type { RunIf } from '@playbook/domain';

// The `run_if` rule of SPEC §8.4, once: the session decides with it whether a ready node runs (`RunSession`), and a
// plan (`planRun`) says from it what the session will decide — so the two can never tell different stories.

/** How one dependency of a node stands when the node's turn comes, as far as the caller knows it. */
export type DependencyState =
  /** It can never run; `root` is the step that keeps it from running (the root cause). */
  | { readonly kind: 'blocked'; readonly root: string }
  /** It ended nok (or, on a resume, its attempt was left running and is recorded interrupted). */
  | { readonly kind: 'nok'; readonly id: string }
  /**
   * It ended ok or skipped. `runIfSkip`: it was skipped by its own `run_if` (`skip`), or — in a plan — may be
   * (`unknown`).
   */
  | { readonly kind: 'ended'; readonly runIfSkip?: 'skip' | 'unknown' | undefined }
  /** A plan only: it runs before this node, so how it ends is not known yet. */
  | { readonly kind: 'runs-first'; readonly runIfSkip?: 'skip' | 'unknown' | undefined }
  /** It has not ended and will not before this node's turn (not run yet, or kept unfinished by a resume). */
  | { readonly kind: 'pending'; readonly id: string };

/** What `run_if` decides for a node whose turn has come. */
export type RunIfDecision =
  | { readonly kind: 'run' }
  /** The run is ending and a dependency is merely pending: left pending, for a resume to run. */
  | { readonly kind: 'not-run' }
  | { readonly kind: 'blocked'; readonly root: string }
  | { readonly kind: 'skip'; readonly why: string }
  /** A plan only: decided when the steps before it have ended. */
  | { readonly kind: 'unknown'; readonly why: string };

const RUN: RunIfDecision = { kind: 'run' };
const NOT_RUN: RunIfDecision = { kind: 'not-run' };

/**
 * Whether a node runs, by its `run_if` and how its dependencies stand (SPEC §8.4). `ending`: the run's end is
 * decided (an abort, an interrupt, a critical nok), so no `success` node starts and a pending dependency stays
 * pending rather than blocking.
 */
export function runIfDecision(
  runIf: RunIf | undefined,
  dependencies: Iterable<DependencyState>,
  ending = false,
): RunIfDecision {
  // The first dependency, in order, that keeps a `success` node from running: the root cause when blocked.
  let first: string | undefined;
  let failedOrBlocked: string | undefined;
  let pending: string | undefined;
  let blockedRoot: string | undefined;
  let nok = false;
  let runsFirst = false;
  let afterRunIfSkip: 'skip' | 'unknown' | undefined;
  for (const dependency of dependencies) {
    switch (dependency.kind) {
      case 'blocked':
        blockedRoot ??= dependency.root;
        failedOrBlocked ??= dependency.root;
        first ??= dependency.root;
        break;
      case 'nok':
        nok = true;
        failedOrBlocked ??= dependency.id;
        first ??= dependency.id;
        break;
      case 'pending':
        pending ??= dependency.id;
        first ??= dependency.id;
        break;
      case 'runs-first':
        runsFirst = true;
        if (afterRunIfSkip !== 'skip') afterRunIfSkip = dependency.runIfSkip ?? afterRunIfSkip;
        break;
      case 'ended':
        if (afterRunIfSkip !== 'skip') afterRunIfSkip = dependency.runIfSkip ?? afterRunIfSkip;
        break;
    }
  }
  if ((runIf ?? 'success') === 'success') {
    if (ending) return failedOrBlocked !== undefined ? { kind: 'blocked', root: failedOrBlocked } : NOT_RUN;
    if (first !== undefined) return { kind: 'blocked', root: first };
    // A success step after one its run_if skipped is skipped the same way (SPEC §8.4).
    if (afterRunIfSkip === 'skip') {
      return { kind: 'skip', why: 'a step it depends on was skipped by its run_if' };
    }
    if (afterRunIfSkip === 'unknown') {
      return { kind: 'unknown', why: 'a step it depends on may be skipped by its run_if' };
    }
    return RUN;
  }
  if (pending !== undefined) return ending ? NOT_RUN : { kind: 'blocked', root: pending };
  if (runIf === 'always' || nok) return RUN;
  if (runsFirst) {
    return { kind: 'unknown', why: 'run_if = "failure": it runs only if a step it depends on ends nok' };
  }
  if (blockedRoot !== undefined) return { kind: 'blocked', root: blockedRoot };
  return { kind: 'skip', why: 'run_if = "failure": no step it depends on ended nok' };
}
