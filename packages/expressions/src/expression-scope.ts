import { type ASTNode, Environment, Optional } from '@marcbachmann/cel-js';
import { ExpressionError } from './expression-error.js';
import { CEL_TYPE_OF_INPUT, type InputType, type InputValue } from './input-types.js';
import { referenceFacts } from './reference-facts.js';
import { findReferences, type OutputReference, type Reference, stepOfOutputAccess } from './references.js';
import { PlaybookStep, type StepValue } from './step-value.js';

// This module is the only one that imports the CEL library (@marcbachmann/cel-js): one place to change it.

/** The run an expression is evaluated in: `run.id`, `run.workflow`, `run.trigger`, `run.operator`. */
export interface RunValue {
  readonly id: number;
  readonly workflow: string;
  readonly trigger: string;
  readonly operator: string;
}

/** Everything an expression may read when it is evaluated. */
export interface ExpressionValues {
  readonly inputs: Readonly<Record<string, InputValue>>;
  /** Every node of the runbook by id, each made with {@link stepValue}. */
  readonly steps: ReadonlyMap<string, StepValue>;
  readonly run: RunValue;
}

/**
 * What validation needs to know of an expression: its type and what it reads. Holds no syntax tree, so a
 * runbook's thousands of checked expressions cost their validation little memory (and garbage collection).
 */
export interface ExpressionFacts {
  readonly source: string;
  /** The CEL type the checker inferred (`string`, `int`, `dyn`, …). */
  readonly type: string;
  /** Inputs it reads, by name, with the offset of each reference. */
  readonly inputs: readonly Reference[];
  /** Steps it reads, by id (status or outputs), with the offset of each reference. */
  readonly steps: readonly Reference[];
  /** Fields of `run` it reads (`id`, `workflow`, `trigger`, `operator`), with the offset of each reference. */
  readonly run: readonly Reference[];
  /** Outputs it reads by a literal key (`steps.<id>.outputs.<key>`), with the offset of each read. */
  readonly outputs: readonly OutputReference[];
}

/** An expression compiled once, evaluated many times. */
export interface CompiledExpression extends ExpressionFacts {
  /** Evaluates it; throws `ExpressionError` (code EXPRESSION_EVALUATION) with a one-line message. */
  evaluate(values: ExpressionValues): unknown;
}

/** Compiles expressions against the declared inputs of one runbook. */
export interface ExpressionScope {
  /** Parses and type-checks `source`; an unknown input, a syntax or a type error throws `ExpressionError`. */
  compile(source: string): CompiledExpression;
  /**
   * What `compile` checks and finds, without keeping anything to evaluate: for validation, which would
   * otherwise keep every expression's syntax tree alive until it ends. Throws as `compile` does.
   */
  check(source: string): ExpressionFacts;
}

/** Builds the scope for a runbook whose inputs have these types (names in declaration order). */
export function createExpressionScope(inputs: Readonly<Record<string, InputType>>): ExpressionScope {
  const environment = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false });
  environment.registerType('PlaybookStep', {
    ctor: PlaybookStep,
    fields: { status: 'string', outputs: 'map<string, string>' },
  });
  // steps is a map, not a schema per node: one environment serves a 100,000-node runbook, and names of steps
  // are checked against the DAG by the caller, which knows which ones a node may read.
  environment.registerVariable('steps', 'map<string, PlaybookStep>');
  const schema: Record<string, string> = {};
  for (const [name, type] of Object.entries(inputs)) schema[name] = CEL_TYPE_OF_INPUT[type];
  environment.registerVariable('inputs', { schema });
  environment.registerVariable('run', {
    schema: { id: 'int', workflow: 'string', trigger: 'string', operator: 'string' },
  });
  const integers = Object.keys(inputs).filter((name) => inputs[name] === 'integer');

  /** Parses, finds the references, checks the inputs read and the types: the facts and the parsed tree. */
  const analyse = (source: string) => {
    let parsed: ReturnType<Environment['parse']>;
    try {
      parsed = environment.parse(source);
    } catch (error) {
      throw libraryError('EXPRESSION_SYNTAX', error);
    }
    const references = findReferences(parsed.ast);
    for (const reference of references.inputs) {
      if (!Object.hasOwn(inputs, reference.name)) {
        throw new ExpressionError(
          'EXPRESSION_TYPE',
          `unknown input \`${reference.name}\`${declaredList(Object.keys(inputs))}`,
          reference.offset,
        );
      }
    }
    const checked = parsed.check();
    if (!checked.valid) throw libraryError('EXPRESSION_TYPE', checked.error);
    const facts: ExpressionFacts = {
      source,
      type: checked.type ?? 'dyn',
      inputs: references.inputs,
      steps: references.steps,
      run: references.run,
      outputs: references.outputs,
    };
    return { facts, parsed };
  };

  return {
    check: (source) => referenceFacts(source, inputs) ?? analyse(source).facts,
    compile(source) {
      const { facts, parsed } = analyse(source);
      return {
        ...facts,
        evaluate(values) {
          try {
            return parsed(celContext(values, integers));
          } catch (error) {
            const step = stepOfOutputAccess(error);
            if (step !== undefined) {
              throw new ExpressionError(
                'EXPRESSION_EVALUATION',
                `step \`${step.id}\` has no output \`${step.key}\` (guard it with has() or .?${step.key})`,
                step.offset,
                { cause: error },
              );
            }
            throw libraryError('EXPRESSION_EVALUATION', error);
          }
        },
      };
    },
  };
}

/** True when `value` is a CEL optional (the result of `.?key` without `.orValue()`). */
export function isOptionalValue(value: unknown): boolean {
  return value instanceof Optional;
}

/** The value an optional holds, or undefined when it is empty. */
export function optionalValue(value: unknown): unknown {
  return value instanceof Optional ? (value.hasValue() ? value.value() : undefined) : value;
}

function celContext(values: ExpressionValues, integers: readonly string[]): Record<string, unknown> {
  // Integers arrive as JavaScript numbers; CEL's int is a bigint in the library.
  let inputs: Record<string, unknown> = values.inputs;
  if (integers.length > 0) {
    inputs = { ...values.inputs };
    for (const name of integers) {
      const value = inputs[name];
      if (typeof value === 'number' && Number.isInteger(value)) inputs[name] = BigInt(value);
    }
  }
  // The map is handed over as it is (no copy per evaluation: a run of n nodes would cost n² otherwise); its
  // values are PlaybookStep instances made by stepValue().
  return { inputs, steps: values.steps, run: { ...values.run, id: BigInt(values.run.id) } };
}

function declaredList(names: readonly string[]): string {
  return names.length === 0 ? ' (the runbook declares no inputs)' : ` (declared: ${names.join(', ')})`;
}

function libraryError(code: ExpressionError['code'], error: unknown): ExpressionError {
  if (error instanceof ExpressionError) return error;
  const located = error as { summary?: unknown; message?: unknown; node?: { pos?: unknown } } | undefined;
  const summary =
    typeof located?.summary === 'string' && located.summary !== ''
      ? located.summary
      : String(located?.message ?? error).split('\n')[0];
  const offset = typeof located?.node?.pos === 'number' ? located.node.pos : undefined;
  return new ExpressionError(code, summary ?? 'invalid expression', offset, { cause: error });
}

export type { ASTNode };
