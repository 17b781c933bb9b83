import { readdirSync, rmdirSync, type Stats, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** An entry neither read nor written for this long is deleted when the cache next writes one. */
export const STALE_ENTRY_MS = 30 * 24 * 60 * 60 * 1000;
/** A temporary file older than this is a writer's that was killed before it renamed it. */
const STALE_TEMPORARY_MS = 24 * 60 * 60 * 1000;

// Only what the cache writes is deleted: `PLAYBOOK_CACHE_DIR` may name a folder other programs use too (`~/.cache`
// makes the cache `~/.cache/code`). A Node version's folder is `<format>-node-<version>-v8-<version>-<arch>`
// (code-cache.ts), an entry `<SHA-1 of the chunk>-<its length>.v8`, a writer's temporary file that and
// `.<pid>.tmp` (chunk-loader.ts, code-cache.ts).
const VERSION_FOLDER = /^\d+-node-.+-v8-.+$/;
const ENTRY = /^[0-9a-f]{40}-\d+\.v8$/;
const TEMPORARY = /^[0-9a-f]{40}-\d+\.v8\.\d+\.tmp$/;

/**
 * Keeps the code cache from growing with every upgrade: each build of `playbook` (and each Node version) writes
 * new entries and never reads the old ones again. Called once by a process that writes an entry — which happens
 * after an upgrade or for a command's first start, never on the way of an everyday one — with the folder of its
 * command's entries (`<cache>/code/<Node version>/<command>`). Deletes:
 * - in every folder of the cache, entries last read or written more than {@link STALE_ENTRY_MS} ago (by their
 *   access time, which a read updates at least daily on Linux's default `relatime`; where it is never
 *   updated, an entry of the build in use may go too and is written again at the next start);
 * - temporary files of writers killed before they renamed them;
 * - the entries of the layout before a folder per command (files right in a Node version's folder);
 * - folders left empty.
 * Files and folders of other names are left alone. Every failure is ignored: another process may be reading or
 * deleting the same files.
 */
export function pruneCodeCache(commandDir: string, now: number = Date.now()): void {
  const versionDir = dirname(commandDir);
  const codeDir = dirname(versionDir);
  for (const version of entriesOf(codeDir)) {
    if (!VERSION_FOLDER.test(version)) continue;
    const versionPath = join(codeDir, version);
    for (const name of entriesOf(versionPath)) {
      const path = join(versionPath, name);
      const stat = statOf(path);
      if (stat === undefined) continue;
      if (stat.isDirectory()) {
        for (const entry of entriesOf(path)) pruneFile(join(path, entry), now);
        removeIfEmpty(path);
      } else if (versionPath === versionDir) {
        // The layout of before: never read again.
        if (ENTRY.test(name) || TEMPORARY.test(name)) removeFile(path);
      } else {
        pruneFile(path, now);
      }
    }
    if (versionPath !== versionDir) removeIfEmpty(versionPath);
  }
}

function pruneFile(path: string, now: number): void {
  const name = basename(path);
  const temporary = TEMPORARY.test(name);
  if (!temporary && !ENTRY.test(name)) return;
  const stat = statOf(path);
  if (stat === undefined || !stat.isFile()) return;
  const last = Math.max(stat.atimeMs, stat.mtimeMs);
  const limit = temporary ? STALE_TEMPORARY_MS : STALE_ENTRY_MS;
  if (now - last > limit) removeFile(path);
}

function entriesOf(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already, or not ours to remove
  }
}

function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty, or gone
  }
}
