import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where V8's compiled code of the CLI's chunks is kept between runs, and how it is read and written. Node 20
 * keeps no compiled code of ES modules between runs (`module.enableCompileCache` came with Node 22.1), so each
 * start compiled the same JavaScript again; docs/performance.md has the figures.
 *
 * A cache file is named by the chunk's content and the Node and V8 versions that compiled it, so an upgrade of
 * either never meets a stale cache; V8 rejects, besides, data of another V8 or other flags. Files are written
 * to a temporary name and renamed, so two CLIs starting at once each read either a whole file or none. Every
 * failure (a folder that cannot be created or written, a full disk) only means no cache: it is never reported.
 */
export interface CodeCache {
  read(key: string): Buffer | undefined;
  /** Writes the data under `key`; false when the cache cannot be written (nothing more is tried then). */
  write(key: string, data: Buffer): boolean;
}

/** Changes with the way the chunk loader wraps a chunk's code (a part of what V8 compiles that is not in the file). */
export const CODE_CACHE_FORMAT = 1;

/** The environment variables that move or switch off the cache (documented in docs/configuration.md). */
export const CODE_CACHE_ENV = {
  dir: 'PLAYBOOK_CACHE_DIR',
  off: 'PLAYBOOK_CODE_CACHE',
} as const;

/**
 * The cache's folder: `$PLAYBOOK_CACHE_DIR`, else `$XDG_CACHE_HOME/playbook`, else `~/.cache/playbook` — with a
 * sub-folder per Node and V8 version — or undefined when `PLAYBOOK_CODE_CACHE=off` or no folder can be named.
 */
export function codeCacheDir(
  env: NodeJS.ProcessEnv,
  home: string | undefined,
  versions: NodeJS.ProcessVersions,
  arch: string,
): string | undefined {
  if (env[CODE_CACHE_ENV.off] === 'off') return undefined;
  const base =
    nonEmpty(env[CODE_CACHE_ENV.dir]) ??
    ((xdg) => (xdg === undefined ? undefined : join(xdg, 'playbook')))(nonEmpty(env.XDG_CACHE_HOME)) ??
    (nonEmpty(home) === undefined ? undefined : join(home as string, '.cache', 'playbook'));
  if (base === undefined) return undefined;
  return join(base, 'code', `${CODE_CACHE_FORMAT}-node-${versions.node}-v8-${versions.v8}-${arch}`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The cache in `dir`: one file per key. */
export function fileCodeCache(dir: string): CodeCache {
  let made = false;
  let broken = false;
  return {
    read(key) {
      try {
        return readFileSync(join(dir, key));
      } catch {
        return undefined;
      }
    },
    write(key, data) {
      if (broken) return false;
      try {
        if (!made) mkdirSync(dir, { recursive: true });
        made = true;
        const file = join(dir, key);
        // A name of this process's own: two CLIs writing the same key at once each rename a whole file.
        const temporary = `${file}.${process.pid}.tmp`;
        writeFileSync(temporary, data);
        renameSync(temporary, file);
        return true;
      } catch {
        broken = true;
        return false;
      }
    },
  };
}
