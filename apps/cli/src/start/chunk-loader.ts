import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { type CodeCache, fileIn, sourceChecksum } from './code-cache.js';

/**
 * Loads the CLI's chunks (dist/chunks, written by scripts/bundle.mjs as CommonJS function bodies) through
 * `vm.Script`, with V8's compiled code kept in a {@link CodeCache}: Node 20 compiles ES modules from scratch at
 * every start, and its ES-module loader resolved, stat'ed and read each of the ~26 chunk files a command loads
 * asynchronously, one by one — together most of what a command like `show` cost over bare Node (see
 * docs/performance.md). A chunk is found by its file name in one folder, read in one call and compiled once.
 *
 * A chunk's code sees `require` (other chunks by `./name.js`, Node's built-ins and CommonJS packages through
 * Node's own `require`, ES-module packages it imports statically as loaded beforehand), `__load` for what it
 * imported with `import()` (a chunk, or a package through Node's loader) and `__chunkUrl`, its file's URL.
 */
export interface ChunkLoader {
  /** The exports of a chunk (or of a package a chunk imports with `import()`), loaded on first use. */
  load(specifier: string): Promise<unknown>;
  /** Writes the compiled code of every chunk that had none cached (call once, at exit). */
  saveCache(): void;
}

export interface ChunkLoaderOptions {
  /** The folder of the chunks. */
  dir: string;
  /** Imports a package the way the entry module would (the chunks' folder shares its node_modules). */
  importPackage: (specifier: string) => Promise<unknown>;
  /** For each chunk, the ES-module packages that it and the chunks it requires import statically. */
  packagesOf: Readonly<Record<string, readonly string[]>>;
  /** No cache when undefined (switched off, or no folder for it). */
  cache: CodeCache | undefined;
  /**
   * Runs V8's compile and its making of cached data under the flags the process started with (V8 keys cached
   * code by its flags; see start/young-generation.ts). Directly when omitted.
   */
  underStartFlags?: <T>(compile: () => T) => T;
  /** Told of each chunk loaded and what the cache did (`PLAYBOOK_DEBUG_CHUNKS`). */
  trace?: (line: string) => void;
}

type ChunkBody = (
  exports: object,
  require: (specifier: string) => unknown,
  module: { exports: unknown },
  __load: (specifier: string) => Promise<unknown>,
  __chunkUrl: string,
) => void;

// The parameters a chunk's body is compiled with. They are part of the source V8 compiles: change them, and
// change CODE_CACHE_FORMAT in code-cache.ts.
const HEAD = '(function (exports, require, module, __load, __chunkUrl) {"use strict";';
const TAIL = '\n})';

/** The file of the chunks' SHA-1s (by file name), written by scripts/bundle.mjs next to them. */
export const CHUNK_HASHES = 'hashes.json';

export function createChunkLoader(options: ChunkLoaderOptions): ChunkLoader {
  const { dir, cache, trace } = options;
  const underStartFlags = options.underStartFlags ?? (<T>(compile: () => T): T => compile());
  const nodeRequire = createRequire(join(dir, 'index.js'));
  // Chunk names need no escaping in a URL (esbuild's `[name]-[hash].js`).
  const dirUrl = `${pathToFileURL(dir).href}/`;
  const chunks = new Map<string, { exports: unknown }>();
  const packages = new Map<string, unknown>();
  const unsaved: Array<{ key: string; check: number; script: Script; name: string }> = [];
  let manifest: Readonly<Record<string, string>> | undefined;
  // The build's SHA-1 of each chunk, read at the first chunk; without it, no cache.
  const hashes = (): Readonly<Record<string, string>> => {
    if (manifest === undefined) {
      try {
        manifest = JSON.parse(readFileSync(join(dir, CHUNK_HASHES), 'utf8')) as Record<string, string>;
      } catch {
        manifest = {};
      }
    }
    return manifest;
  };

  function requireChunk(name: string): unknown {
    const loaded = chunks.get(name);
    if (loaded !== undefined) return loaded.exports;
    const file = fileIn(dir, name);
    const bytes = readFileSync(file);
    // The build makes every chunk pure ASCII: read as Latin-1 it is the exact source, copied byte for byte
    // into a one-byte V8 string, with no UTF-8 decoding.
    const source = HEAD + bytes.toString('latin1') + TAIL;
    // Named by the chunk's content: its SHA-1, computed by the build (hashing here would load node:crypto,
    // which costs a start-up more than the rest of the loader), and its length, should the file have been
    // edited since. The function around the bytes is in the folder's name (CODE_CACHE_FORMAT). The entry holds a
    // checksum of the bytes read now, besides: a chunk edited in place keeps its name and maybe its length.
    const sha1 = cache === undefined ? undefined : hashes()[name];
    const key = sha1 === undefined ? undefined : `${sha1}-${bytes.length}.v8`;
    const check = key === undefined ? 0 : sourceChecksum(bytes);
    const cachedData = key === undefined ? undefined : cache?.read(key, check);
    const script = underStartFlags(
      () =>
        new Script(source, {
          filename: file,
          ...(cachedData === undefined ? {} : { cachedData }),
        }),
    );
    const state =
      key === undefined
        ? 'off'
        : cachedData === undefined
          ? 'miss'
          : script.cachedDataRejected
            ? 'rejected'
            : 'hit';
    trace?.(`chunk ${name} cache ${state}`);
    if (key !== undefined && (state === 'miss' || state === 'rejected'))
      unsaved.push({ key, check, script, name });
    const module = { exports: {} as unknown };
    chunks.set(name, module);
    const body = script.runInThisContext() as ChunkBody;
    body(module.exports as object, requireFrom, module, load, dirUrl + name);
    return module.exports;
  }

  function requireFrom(specifier: string): unknown {
    if (specifier.startsWith('./')) return requireChunk(specifier.slice(2));
    if (packages.has(specifier)) return packages.get(specifier);
    // Node's built-in modules are compiled from a code cache in its binary, which V8 rejects under other flags
    // than the process started with (`run` sets one): child_process, net and stream took ~3 ms to compile then.
    return underStartFlags(() => nodeRequire(specifier));
  }

  async function load(specifier: string): Promise<unknown> {
    if (!specifier.startsWith('./')) return options.importPackage(specifier);
    const name = specifier.slice(2);
    for (const pkg of options.packagesOf[name] ?? []) {
      if (!packages.has(pkg)) packages.set(pkg, await options.importPackage(pkg));
    }
    return requireChunk(name);
  }

  return {
    load,
    saveCache() {
      for (const { key, check, script, name } of unsaved.splice(0)) {
        // After the command ran: the data holds the functions it compiled, not only the top level.
        const written =
          cache?.write(
            key,
            check,
            underStartFlags(() => script.createCachedData()),
          ) ?? false;
        trace?.(`chunk ${name} cache ${written ? 'written' : 'not written'}`);
        if (!written) return;
      }
    },
  };
}
