import type { InputValue, Runbook } from '@playbook/domain';
import {
  type CompiledExpression,
  type ExpressionScope,
  type ExpressionValues,
  type InputType,
  mayHoldTemplate,
  parseTemplate,
  type StepValue,
  wholeExpression,
} from '@playbook/expressions';
import type { ExpressionsModule } from '@playbook/expressions/cel';
import { templatedTexts } from './node-templates.js';
import type { PlanCondition } from './plan-schema.js';

/** What a plan knows before anything runs; anything else an expression reads is known only at run time. */
export interface KnownValues {
  /** Inputs that have a value; a declared input missing here has none yet. */
  readonly inputs: Readonly<Record<string, InputValue>>;
  /** Steps whose status (and outputs) are fixed already: on a resume, the kept ones. */
  readonly steps: ReadonlyMap<string, StepValue>;
  readonly workflow: string;
  readonly trigger: 'run' | 'resume';
  /** Known on a resume; a new run's id is given when it starts. */
  readonly runId: number | undefined;
  /** Undefined when the caller did not say who runs it. */
  readonly operator: string | undefined;
}

/** Where a step's notes go: templates left for run time, and failures with the values known now. */
export interface StepNotes {
  readonly unresolved: string[];
  readonly problems: string[];
}

/**
 * Renders templates and decides `when` conditions as far as the values known before a run allow (SPEC §9.2):
 * an expression is evaluated only when every value it reads is known; otherwise its template is left as it is,
 * and its condition is "decided at run time". Nothing is run: CEL is an expression language without effects.
 */
export class PlanExpressions {
  readonly #cel: ExpressionsModule | undefined;
  readonly #scope: ExpressionScope | undefined;
  readonly #known: KnownValues;

  private constructor(cel: ExpressionsModule | undefined, known: KnownValues, runbook: Runbook) {
    this.#cel = cel;
    this.#known = known;
    const types: Record<string, InputType> = {};
    for (const input of runbook.inputs ?? []) types[input.name] = input.type;
    this.#scope = cel?.createExpressionScope(types);
  }

  /** Loads the CEL library only when the runbook has a template or a condition (a v1 runbook never does). */
  static async load(runbook: Runbook, known: KnownValues): Promise<PlanExpressions> {
    const needed = runbook.nodes.some(
      (node) => node.when !== undefined || templatedTexts(node).some(([, text]) => mayHoldTemplate(text)),
    );
    const cel = needed ? await import('@playbook/expressions/cel') : undefined;
    return new PlanExpressions(cel, known, runbook);
  }

  /** `text` with each template whose values are known rendered (shell-quoted in a command line). */
  render(text: string, notes: StepNotes, options: { readonly shell?: boolean } = {}): string {
    if (!mayHoldTemplate(text) || this.#cel === undefined) return text;
    const cel = this.#cel;
    let parts: ReturnType<typeof parseTemplate>;
    try {
      parts = parseTemplate(text);
    } catch (error) {
      notes.problems.push(messageOf(error));
      return text;
    }
    let out = '';
    for (const part of parts) {
      if (part.kind === 'text') {
        out += part.text;
        continue;
      }
      const original = text.slice(part.start, part.end);
      const value = this.#evaluate(part.source, notes, original);
      if (value === undefined) {
        out += original;
        continue;
      }
      try {
        const rendered = cel.renderValue(value.result);
        out += options.shell === true ? cel.shellQuote(rendered) : rendered;
      } catch (error) {
        notes.problems.push(`${original}: ${messageOf(error)}`);
        out += original;
      }
    }
    return out;
  }

  /** A `function_params` value: a string that is exactly one template keeps the value's type, as in a run. */
  renderParam(value: unknown, notes: StepNotes): unknown {
    if (typeof value !== 'string' || !mayHoldTemplate(value) || this.#cel === undefined) return value;
    let whole: ReturnType<typeof wholeExpression>;
    try {
      whole = wholeExpression(parseTemplate(value));
    } catch {
      return this.render(value, notes);
    }
    if (whole === undefined || whole.kind !== 'expression') return this.render(value, notes);
    const evaluated = this.#evaluate(whole.source, notes, value);
    if (evaluated === undefined) return value;
    try {
      return this.#cel.toPlain(evaluated.result);
    } catch (error) {
      notes.problems.push(`${value}: ${messageOf(error)}`);
      return value;
    }
  }

  /** The decision on a node's `when`: runs, skipped, or decided at run time (and why). */
  condition(expression: string | undefined, notes: StepNotes): PlanCondition {
    if (expression === undefined) return { decision: 'runs', expression: null, reason: null };
    const compiled = this.#compile(expression, notes, `when ${JSON.stringify(expression)}`);
    if (compiled === undefined) {
      return { decision: 'decided at run time', expression, reason: notes.problems.at(-1) ?? null };
    }
    const missing = this.#missing(compiled);
    if (missing.length > 0) {
      return { decision: 'decided at run time', expression, reason: `it reads ${missing.join(', ')}` };
    }
    let result: unknown;
    try {
      result = compiled.evaluate(this.#values());
    } catch (error) {
      const reason = `evaluating it fails: ${messageOf(error)}`;
      notes.problems.push(`when: ${messageOf(error)}`);
      return { decision: 'decided at run time', expression, reason };
    }
    if (result === true) return { decision: 'runs', expression, reason: null };
    if (result === false) return { decision: 'skipped', expression, reason: null };
    const reason = `it gives ${typeof result}, not a boolean`;
    notes.problems.push(`when: ${reason}`);
    return { decision: 'decided at run time', expression, reason };
  }

  /** The expression's value when every value it reads is known; undefined when not (noted in `notes`). */
  #evaluate(source: string, notes: StepNotes, original: string): { result: unknown } | undefined {
    const compiled = this.#compile(source, notes, original);
    if (compiled === undefined) return undefined;
    if (this.#missing(compiled).length > 0) {
      if (!notes.unresolved.includes(original)) notes.unresolved.push(original);
      return undefined;
    }
    try {
      return { result: compiled.evaluate(this.#values()) };
    } catch (error) {
      notes.problems.push(`${original}: ${messageOf(error)}`);
      return undefined;
    }
  }

  #compile(source: string, notes: StepNotes, label: string): CompiledExpression | undefined {
    try {
      return this.#scope?.compile(source);
    } catch (error) {
      notes.problems.push(`${label}: ${messageOf(error)}`);
      return undefined;
    }
  }

  /** The values the expression reads that are not known yet (`inputs.x`, `steps.y`, `run.id`), each once. */
  #missing(expression: CompiledExpression): string[] {
    const known = this.#known;
    const missing = new Set<string>();
    for (const reference of expression.inputs) {
      if (!Object.hasOwn(known.inputs, reference.name)) missing.add(`inputs.${reference.name}`);
    }
    for (const reference of expression.steps) {
      if (!known.steps.has(reference.name)) missing.add(`steps.${reference.name}`);
    }
    for (const reference of expression.run) {
      if (reference.name === 'id' && known.runId === undefined) missing.add('run.id');
      if (reference.name === 'operator' && known.operator === undefined) missing.add('run.operator');
    }
    return [...missing];
  }

  #values(): ExpressionValues {
    const known = this.#known;
    return {
      inputs: known.inputs,
      steps: known.steps,
      // Unknown fields are never read: `#missing` holds back every expression that reads one.
      run: {
        id: known.runId ?? 0,
        workflow: known.workflow,
        trigger: known.trigger,
        operator: known.operator ?? '',
      },
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
