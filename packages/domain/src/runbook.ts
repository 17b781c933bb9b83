import type { InputType, InputValue } from '@playbook/expressions';

/** The three kinds of step a runbook can hold. */
export type NodeType = 'Manual' | 'Function' | 'Command';

/** The `[runbook]` table: metadata of the workflow. */
export interface RunbookMeta {
  /** The workflow's name in the run history (`workflow_name`). */
  readonly title: string;
  readonly description: string;
  readonly version: string;
  readonly author: string;
  /** UTC ISO-8601, normalised from a TOML datetime or an ISO string. */
  readonly createdAt: string;
  /** `concurrency`: how many ready steps may run at once (SPEC §9.1); absent means 1. */
  readonly concurrency?: number;
}

/** A runbook parameter, `[runbook.inputs.<name>]` (SPEC §8.1). */
export interface RunbookInput {
  /** Letters, digits and `_`. */
  readonly name: string;
  readonly type: InputType;
  /** When set, the value must be one of these. */
  readonly choices?: readonly InputValue[];
  /** Without it the input is required. */
  readonly default?: InputValue;
  /** A JavaScript regular expression a string value must match. */
  readonly pattern?: string;
  readonly min?: number;
  readonly max?: number;
  readonly description?: string;
  /** Never stored, never shown, masked in all output. */
  readonly secret: boolean;
}

/** Fields every node has, with the defaults of SPEC §1.2 already applied. */
export interface NodeBase {
  /** The TOML table key. */
  readonly id: string;
  readonly type: NodeType;
  /** Human label; the id when the file gives none. */
  readonly name: string;
  readonly description?: string;
  /** Ids of nodes that must end `ok` or `skipped` first, in file order. */
  readonly dependsOn: readonly string[];
  readonly repeatable: boolean;
  readonly skippable: boolean;
  readonly critical: boolean;
  /** Seconds per attempt; undefined means the configured default. */
  readonly timeout?: number;
  /** Output keys an attempt must produce to end `ok` (SPEC §8.3); absent when the file declares none. */
  readonly outputs?: readonly string[];
  /** Output keys that are secret: required too, masked everywhere and never stored; absent when none. */
  readonly secretOutputs?: readonly string[];
  /**
   * A CEL expression evaluated when the node is ready (SPEC §8.4): false records it `skipped` with the decision
   * `condition`, and its dependents still run. Absent: the node always runs when ready.
   */
  readonly when?: string;
  /** When the node may run, by how its dependencies ended (SPEC §8.4); absent means `success`. */
  readonly runIf?: RunIf;
  /** Seconds; past it the step is shown overdue, once. Absent: never. */
  readonly expectedDuration?: number;
}

/**
 * `success`: every dependency ended ok or skipped. `failure`: every dependency ended (or can never run) and one
 * ended nok — rollbacks, alerts. `always`: every dependency ended or can never run, whatever their status — cleanup.
 */
export type RunIf = 'success' | 'failure' | 'always';

/** Automatic retries of a Command or Function node (SPEC §8.4), defaults applied. */
export interface RetryPolicy {
  /** Tries in all, the first included; replaces `--retries` for the node. 0 and 1 retry nothing. */
  readonly attempts: number;
  /** Seconds to wait before the second try; 0 by default. */
  readonly delay: number;
  /** The delay is multiplied by this after each try (≥ 1); 1 by default. */
  readonly backoff: number;
  /** Command only: retried only for these exit codes (a timeout, 124, only when listed). Absent: any failure. */
  readonly exitCodes?: readonly number[];
}

/**
 * What makes a Manual node an approval gate (SPEC §10.2): someone named here answers it with `playbook approve`
 * or `playbook reject`, maybe later and from another host.
 */
export interface ApprovalPolicy {
  /** Who may decide: a name matches the claimed operator `alice` or `alice@<any host>`. */
  readonly approvers: readonly string[];
  /** How many distinct approvals open the gate (1 ≤ min ≤ approvers). */
  readonly min: number;
  /** Four eyes: whoever started or resumed the run may not decide. */
  readonly notStarter: boolean;
}

/** A step a person does and confirms ok / nok with a note. */
export interface ManualNode extends NodeBase {
  readonly type: 'Manual';
  readonly prompt: string;
  /** Present when the node is an approval gate (SPEC §10.2). */
  readonly approval?: ApprovalPolicy;
}

/** A JS/TS function loaded by dynamic import (`<module>#<export>`). */
export interface FunctionNode extends NodeBase {
  readonly type: 'Function';
  readonly functionName: string;
  /**
   * Values exactly `"${ask}"` are asked from the operator before the call; values exactly `"${ask:secret}"` too,
   * but hidden as typed, never stored and masked in what the function prints or returns.
   */
  readonly functionParams: Readonly<Record<string, unknown>>;
  /** Automatic retries; absent when the file gives none (then `--retries` applies). */
  readonly retry?: RetryPolicy;
}

/** One shell command line run through `/bin/sh -c`. */
export interface CommandNode extends NodeBase {
  readonly type: 'Command';
  readonly commandName: string;
  /** Extra environment variables (values may hold templates); absent when the file gives none. */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory relative to the runbook's directory (may hold templates); absent: the runbook's. */
  readonly cwd?: string;
  /** Automatic retries; absent when the file gives none (then `--retries` applies). */
  readonly retry?: RetryPolicy;
}

export type RunbookNode = ManualNode | FunctionNode | CommandNode;

/** Where a runbook came from; the engine uses it for cwd, module resolution and change detection. */
export interface RunbookSource {
  /** Absolute path of the `.playbook.toml` file, or a name when parsed from text. */
  readonly path: string;
  /** Directory that relative commands and modules resolve against. */
  readonly directory: string;
  /** Hex SHA-256 of the file's bytes. */
  readonly hash: string;
  /** The file's text as read; the history keeps it once per hash (SPEC §10.1). */
  readonly text?: string;
}

/** A parsed, validated runbook. `nodes` keeps the file's declaration order. */
export interface Runbook {
  readonly meta: RunbookMeta;
  /** `[runbook.inputs]` in declaration order; absent when the file declares none (a v1 runbook). */
  readonly inputs?: readonly RunbookInput[];
  readonly nodes: readonly RunbookNode[];
  readonly source?: RunbookSource;
}

/** The exact `function_params` value that asks the operator. */
export const ASK_PLACEHOLDER = '${ask}';

/** The exact `function_params` value that asks the operator for a secret: hidden, never stored nor printed. */
export const ASK_SECRET_PLACEHOLDER = '${ask:secret}';
