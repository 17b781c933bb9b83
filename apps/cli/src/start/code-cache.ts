import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * Where V8's compiled code of the CLI's chunks is kept between runs, and how it is read and written. Node 20
 * keeps no compiled code of ES modules between runs (`module.enableCompileCache` came with Node 22.1), so each
 * start compiled the same JavaScript again; docs/performance.md has the figures.
 *
 * A cache file is named by the chunk's content and the Node and V8 versions that compiled it, so an upgrade of
 * either never meets a stale cache; V8 rejects, besides, data of another V8 or other flags. Files are written
 * to a temporary name and renamed, so two CLIs starting at once each read either a whole file or none. Every
 * failure (a folder that cannot be created or written, a full disk) only means no cache: it is never reported.
 *
 * Each file holds, before V8's data, checksums of that data and of the source it was compiled from, checked
 * before V8 sees the data: V8 11.3 (Node 20) verifies no checksum of its own — damaged data aborted the
 * process or ran as damaged code — and compares only the source's length, so data of another source of the
 * same length (a chunk edited in place) ran the old code. A file that fails either check is not used, and is
 * replaced at exit like a missing one.
 */
export interface CodeCache {
  /** V8's data under `key`, when the file is whole and was written for a source of checksum `source`. */
  read(key: string, source: number): Buffer | undefined;
  /** Writes the data under `key`; false when the cache cannot be written (nothing more is tried then). */
  write(key: string, source: number, data: Buffer): boolean;
}

/** The checksum of a chunk's bytes that its cache entry must carry (zlib's CRC-32, see {@link frameEntry}). */
export function sourceChecksum(bytes: Buffer): number {
  return crc32(bytes);
}

// An entry: MAGIC, the CRC-32 of the source and of V8's data (unsigned, little-endian), then the data. CRC-32
// because node:zlib's costs a fraction of a millisecond for a command's chunks, where node:crypto's hashes would
// load a module that costs a start-up several milliseconds (docs/performance.md). A change of this layout
// changes MAGIC: files of before then fail the check and are replaced.
const MAGIC = Buffer.from('PBC\x01', 'latin1');
const HEADER = MAGIC.length + 8;

/** The bytes of a cache file holding `data`, compiled from a source of checksum `source`. */
export function frameEntry(source: number, data: Buffer): Buffer {
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(source >>> 0, MAGIC.length);
  header.writeUInt32LE(crc32(data), MAGIC.length + 4);
  return Buffer.concat([header, data]);
}

/** V8's data in a cache file's bytes, or undefined when they are damaged or not of a source of checksum `source`. */
export function unframeEntry(file: Buffer, source: number): Buffer | undefined {
  if (file.length <= HEADER || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if (file.readUInt32LE(MAGIC.length) !== source >>> 0) return undefined;
  const data = file.subarray(HEADER);
  return file.readUInt32LE(MAGIC.length + 4) === crc32(data) ? data : undefined;
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

/**
 * The path of the file `name` (a plain file name, no separator) in the folder `dir`. Not `path.join`: it
 * normalises the whole path character by character, in code not yet compiled at start-up — ~90 calls (a chunk
 * and its cache entry each) took a command ~1 ms. `dir` is normalised once, by its maker.
 */
export function fileIn(dir: string, name: string): string {
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

/**
 * The cache in `dir`: one file per key. `prune` (the CLI's: {@link pruneCodeCache} on its command's folder) is
 * called once, after the first entry this process writes.
 */
export function fileCodeCache(dir: string, prune?: (dir: string) => void): CodeCache {
  let made = false;
  let broken = false;
  return {
    read(key, source) {
      try {
        return unframeEntry(readFileSync(fileIn(dir, key)), source);
      } catch {
        return undefined;
      }
    },
    write(key, source, data) {
      if (broken) return false;
      try {
        if (!made) mkdirSync(dir, { recursive: true });
        made = true;
        const file = fileIn(dir, key);
        // A name of this process's own: two CLIs writing the same key at once each rename a whole file.
        const temporary = `${file}.${process.pid}.tmp`;
        writeFileSync(temporary, frameEntry(source, data));
        renameSync(temporary, file);
        if (prune !== undefined) {
          const once = prune;
          prune = undefined;
          once(dir);
        }
        return true;
      } catch {
        broken = true;
        return false;
      }
    },
  };
}
