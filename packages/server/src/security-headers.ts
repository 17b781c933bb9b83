/**
 * The Content-Security-Policy of every page: scripts, styles and images from this server only (no inline script
 * or style attribute, so text that slipped through escaping could still not run), nothing framed, no form posted
 * anywhere, no base URL. `connect-src 'self'` is the live updates' event stream.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Headers every answer carries. No referrer (a first URL holds the token), no caching of history on disk, no
 * sniffing a type other than the one sent, no framing.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
