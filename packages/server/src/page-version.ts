import { createHash } from 'node:crypto';

/** A short fingerprint of a page's content: a live page and its event stream compare these to skip no-op updates. */
export function pageVersion(main: string): string {
  return createHash('sha256').update(main).digest('base64url').slice(0, 22);
}
