// `@playbook/postgres/redact`: this file alone, without `pg` or Kysely, so that a CLI can print a state URL
// (messages, resume hints) before, or without, opening it.

/**
 * A connection URL fit to print: the password replaced by `***`. Text that is not a URL comes back with
 * everything between `://` and the last `@` hidden, since it may still hold credentials.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (key.toLowerCase() === 'password') parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return url.replace(/:\/\/.*@/, '://***@');
  }
}
