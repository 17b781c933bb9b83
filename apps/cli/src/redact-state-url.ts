/**
 * A state URL fit to print: its password replaced by `***`.
 *
 * `@playbook/postgres` has its own `redactUrl`, but importing it loads `pg` and Kysely, which the CLI does only
 * once a URL is opened; messages and resume hints need the redacted URL before that (or without it at all).
 */
export function redactStateUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return url.replace(/:\/\/.*@/, '://***@');
  }
}
