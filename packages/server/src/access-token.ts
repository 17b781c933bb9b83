import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh random token for the URL `playbook serve` prints: 256 bits, URL-safe. */
export function createAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Whether `given` is the token, compared in constant time: the digests have one length whatever was sent, so
 * neither the comparison's time nor an early length check tells how much of a guess was right.
 */
export function isAccessToken(given: string, token: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}
