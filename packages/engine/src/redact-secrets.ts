/** What a secret is replaced with in captured output, results, exceptions and events. */
export const SECRET_MASK = '***';

/**
 * Shorter secrets are not masked: a value of one to three characters ("1", "eu", "yes") occurs in ordinary text
 * so often that masking it would garble the output while hiding little, and would tell a reader the value.
 */
export const MIN_MASKED_SECRET_LENGTH = 4;

/**
 * Replaces every occurrence of each secret in `text` with `***`. Longer secrets go first, so that a secret
 * containing another is masked whole rather than leaving its remainder.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of maskedSecrets(secrets)) redacted = redacted.split(secret).join(SECRET_MASK);
  return redacted;
}

/** The secrets `redactSecrets` masks, longest first. */
function maskedSecrets(secrets: readonly string[]): string[] {
  return [...new Set(secrets)]
    .filter((secret) => secret.length >= MIN_MASKED_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
}
