import { createRequire } from 'node:module';
import { extname } from 'node:path';

/** A vars file's values by name, or why it cannot be read (one line). */
export type VarsFileResult =
  | { readonly ok: true; readonly values: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses a `--vars-file`: JSON when it ends in `.json`, TOML otherwise (the Python prototype's flat
 * `KEY = value` files included). The top level must be a table of names.
 */
export function parseVarsFile(path: string, text: string): VarsFileResult {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const json = extname(path).toLowerCase() === '.json';
  let parsed: unknown;
  try {
    parsed = json
      ? JSON.parse(body)
      : (createRequire(import.meta.url)('@iarna/toml') as typeof import('@iarna/toml')).parse(body);
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return { ok: false, reason: `not valid ${json ? 'JSON' : 'TOML'}: ${message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'must hold a table of names and values (name = value)' };
  }
  return { ok: true, values: parsed as Record<string, unknown> };
}
