// Step outputs (SPEC §8.3): the values a step hands to the steps after it. The rules every producer shares
// (a command's PLAYBOOK_OUTPUT file, a function's returned object, a Manual note) live here, once.

/** An output key: letters, digits and `_` (so that it is a name in an expression and in the environment). */
export const OUTPUT_KEY_PATTERN = '^[A-Za-z0-9_]+$';

const OUTPUT_KEY = new RegExp(OUTPUT_KEY_PATTERN);

/** Whether `key` may name an output. */
export function isOutputKey(key: string): boolean {
  return OUTPUT_KEY.test(key);
}

/**
 * Largest value, in UTF-8 bytes: a value must always fit in a command line or the environment of the step
 * that reads it. A larger one ends the attempt `nok`; it is never truncated.
 */
export const MAX_OUTPUT_VALUE_BYTES = 64 * 1024;

/** Largest total of one attempt's outputs, keys and values, in UTF-8 bytes. */
export const MAX_ATTEMPT_OUTPUTS_BYTES = 1024 * 1024;

/** The one output of a Manual step: the operator's note. */
export const MANUAL_NOTE_OUTPUT = 'note';

/** `64 KiB`, `1 MiB`: a byte cap as the messages and docs write it. */
export function describeBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * Why a set of outputs cannot be kept, or undefined when it can: a key that is not a name, a value over
 * `MAX_OUTPUT_VALUE_BYTES`, or a total over `MAX_ATTEMPT_OUTPUTS_BYTES` (named at the key that crossed it).
 */
export function outputsProblem(outputs: Readonly<Record<string, string>>): string | undefined {
  let total = 0;
  for (const [key, value] of Object.entries(outputs)) {
    if (!isOutputKey(key)) return invalidOutputKey(key);
    const size = utf8Length(value);
    if (size > MAX_OUTPUT_VALUE_BYTES) return outputTooLarge(key);
    total += utf8Length(key) + size;
    if (total > MAX_ATTEMPT_OUTPUTS_BYTES) return outputsTooLarge(key);
  }
  return undefined;
}

/** The message for a key that is not letters, digits and `_`. */
export function invalidOutputKey(key: string): string {
  const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  return `invalid output key ${JSON.stringify(shown)}: a key is letters, digits and _`;
}

/** The message for a value over `MAX_OUTPUT_VALUE_BYTES`. */
export function outputTooLarge(key: string): string {
  return `output "${key}" is larger than ${describeBytes(MAX_OUTPUT_VALUE_BYTES)} (outputs are never truncated)`;
}

/** The message for outputs whose total passes `MAX_ATTEMPT_OUTPUTS_BYTES` at `key`. */
export function outputsTooLarge(key: string): string {
  return (
    `the outputs pass ${describeBytes(MAX_ATTEMPT_OUTPUTS_BYTES)} in all at output "${key}" ` +
    '(outputs are never truncated)'
  );
}

/** The declared outputs (`outputs` and `secret_outputs`) that `outputs` lacks, in declaration order. */
export function missingOutputs(
  declared: { readonly outputs?: readonly string[]; readonly secretOutputs?: readonly string[] },
  outputs: Readonly<Record<string, string>>,
): string[] {
  const missing: string[] = [];
  for (const key of [...(declared.outputs ?? []), ...(declared.secretOutputs ?? [])]) {
    if (!Object.hasOwn(outputs, key) && !missing.includes(key)) missing.push(key);
  }
  return missing;
}

/** Length of `text` in UTF-8 bytes, without encoding it (the domain runs where `Buffer` may not exist). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      // A surrogate pair is one code point of four bytes; a lone surrogate encodes as U+FFFD, three bytes.
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
