/** The declared type of a runbook input (SPEC §8.1). */
export type InputType = 'string' | 'integer' | 'number' | 'boolean';

/** Every input type, in the order the docs list them. */
export const INPUT_TYPES: readonly InputType[] = ['string', 'integer', 'number', 'boolean'];

/** A value of an input, as JavaScript holds it: integers arrive as numbers. */
export type InputValue = string | number | boolean;

/** The CEL type each input type is seen as. */
export const CEL_TYPE_OF_INPUT: Readonly<Record<InputType, string>> = {
  string: 'string',
  integer: 'int',
  number: 'double',
  boolean: 'bool',
};
