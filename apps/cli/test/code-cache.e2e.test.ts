// The built binary keeps V8's compiled code of its chunks in a cache folder (src/start/code-cache.ts): used on
// the next start, a chunk whose bytes changed gets a new entry, a damaged entry is replaced, and a cache that
// cannot be written — or is switched off — changes nothing the operator sees. The loader names what it did for
// each chunk under PLAYBOOK_DEBUG_CHUNKS=1; no timing here (bench/cases/everyday.mjs measures).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_HASHES } from '../src/start/chunk-loader.js';
import { frameEntry, sourceChecksum } from '../src/start/code-cache.js';
import { chunkTrace, oneNodeSandbox } from './fixtures-run/chunk-trace.js';
import { binPath, fixturesDir, runCli, type Sandbox } from './fixtures-run/e2e.js';

/** What the operator sees: the exit code and the output, without the loader's debug lines. */
function seen(result: { code: number | null; stdout: string; stderr: string }) {
  return {
    code: result.code,
    stdout: result.stdout,
    stderr: result.stderr.replace(/^playbook: chunk .*\n/gm, ''),
  };
}

describe('the code cache of the built binary', () => {
  let box: Sandbox;
  let file: string;

  beforeAll(async () => {
    ({ box, file } = await oneNodeSandbox());
  }, 180_000);

  const validate = (env: Record<string, string>) =>
    runCli(box, ['validate', file], { env: { PLAYBOOK_DEBUG_CHUNKS: '1', ...env }, statePath: null });

  it('is written by the first start and used by the next', async () => {
    const cache = box.path('cache-used');
    const first = await validate({ PLAYBOOK_CACHE_DIR: cache });
    expect(first.code, first.stderr).toBe(0);
    const written = chunkTrace(first.stderr);
    expect(written.size).toBeGreaterThan(1);
    for (const states of written.values()) expect(states).toEqual(['miss', 'written']);

    const second = await validate({ PLAYBOOK_CACHE_DIR: cache });
    expect(seen(second)).toEqual(seen(first));
    const used = chunkTrace(second.stderr);
    expect([...used.keys()]).toEqual([...written.keys()]);
    for (const states of used.values()) expect(states).toEqual(['hit']);
  });

  it("keeps each command's own code: every later start of each command, in any order, compiles nothing", async () => {
    // `run` and `show` share most of their chunks. `run` used to change a V8 flag once it had started, so V8
    // rejected the data of every chunk the other had written, and each start of either compiled them again. And
    // V8's data holds only the functions that had run when it was made: `run` used the entries `validate` had
    // made of the parser and compiled the rest of it at every start. Each command has a cache of its own now.
    const cache = box.path('cache-shared');
    const env = { PLAYBOOK_DEBUG_CHUNKS: '1', PLAYBOOK_CACHE_DIR: cache };
    const commands = [
      ['validate', file],
      ['run', file, '--non-interactive'],
      ['show', 'One'],
    ];
    for (const args of commands) {
      const first = await runCli(box, args, { env });
      expect(first.code, first.stderr).toBe(0);
      for (const [chunk, chunkStates] of chunkTrace(first.stderr))
        expect(chunkStates, `${args[0]}: ${chunk}`).toEqual(['miss', 'written']);
    }
    for (const args of [...commands, ...commands]) {
      const again = await runCli(box, args, { env });
      expect(again.code, again.stderr).toBe(0);
      const states = chunkTrace(again.stderr);
      expect(states.size).toBeGreaterThan(1);
      for (const [chunk, chunkStates] of states) expect(chunkStates, `${args[0]}: ${chunk}`).toEqual(['hit']);
    }
    const folder = join(cache, 'code', readdirSync(join(cache, 'code'))[0] as string);
    expect(readdirSync(folder).sort()).toEqual(['run', 'show', 'validate']);
  });

  it("compiles none of Node's own modules from source in a `run`, which changes a V8 flag once started", async () => {
    // Node compiles its modules from a code cache in its binary, which V8 rejects under other flags than the
    // process started with: `run` requires child_process, net and dgram after it has set its flag, so the chunk
    // loader requires them under the start flags (src/start/chunk-loader.ts); and a Function step's module, or the
    // history's migrations (a new state file), bring in Node's ES-module loader through `import()`, before the
    // flag is set. `--expose-internals` is not allowed in NODE_OPTIONS: a shell puts it before the binary.
    const probe = join(fixturesDir, 'builtin-cache-probe.cjs');
    const fromSource = (stderr: string) =>
      JSON.parse(/^playbook-probe (.*)$/m.exec(stderr)?.[1] ?? 'null') as string[];
    writeFileSync(box.path('greet.mjs'), 'export function hello() { return "hello"; }\n');
    const withFunction = await box.runbook(
      'function',
      'Function',
      '[greet]\ntype = "Function"\nfunction_name = "./greet.mjs#hello"\n\n[after]\ntype = "Command"\ncommand_name = "true"\ndepends_on = ["greet"]',
    );
    const probed = (args: string[], statePath?: string) =>
      runCli(box, args, {
        env: { PLAYBOOK_TEST_PROBE: probe },
        via: ['/bin/sh', '-c', 'exec "$0" --expose-internals --require "$PLAYBOOK_TEST_PROBE" "$@"'],
        ...(statePath === undefined ? {} : { statePath }),
      });
    const runs = [
      // A first run makes the history: its migrations load Kysely through Node's ES-module loader.
      ['a new state file', () => probed(['run', file, '--non-interactive'], box.path('new.db'))],
      ['a Command step', () => probed(['run', file, '--non-interactive'])],
      ['a Function step', () => probed(['run', withFunction, '--non-interactive'])],
    ] as const;
    expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(0);
    for (const [what, run] of runs) {
      const result = await run();
      expect(result.code, result.stderr).toBe(0);
      const compiled = fromSource(result.stderr);
      // A Node built without that cache compiles them from source anyway: what a process that only requires the
      // same modules compiles so is no fault of `run`'s.
      const alone = spawnSync(process.execPath, [
        '--expose-internals',
        '--require',
        probe,
        '-e',
        `for (const name of ${JSON.stringify(compiled)}) require(name);`,
      ]);
      expect(alone.status, alone.stderr.toString()).toBe(0);
      expect(
        compiled.filter((name) => !fromSource(alone.stderr.toString()).includes(name)),
        what,
      ).toEqual([]);
    }
  });

  it('files what a command line it does not know loads under one name', async () => {
    const cache = box.path('cache-other');
    const env = { PLAYBOOK_DEBUG_CHUNKS: '1', PLAYBOOK_CACHE_DIR: cache };
    for (const args of [['--help'], ['vaildate', file], ['../../x']])
      await runCli(box, args, { env, statePath: null });
    const folder = join(cache, 'code', readdirSync(join(cache, 'code'))[0] as string);
    expect(readdirSync(folder)).toEqual(['other']);
  });

  it('is keyed by the bundle: a chunk of another build is compiled again, the others are not', async () => {
    // A copy of the built binary (its packages through a link to the CLI's node_modules), one chunk changed.
    const copy = box.path('copy');
    mkdirSync(join(copy, 'dist'), { recursive: true });
    const dist = join(binPath, '..');
    cpSync(join(dist, 'bin.cjs'), join(copy, 'dist', 'bin.cjs'));
    cpSync(join(dist, 'chunks'), join(copy, 'dist', 'chunks'), { recursive: true });
    symlinkSync(join(dist, '..', 'node_modules'), join(copy, 'node_modules'));
    const cache = box.path('cache-keyed');
    const env = { PLAYBOOK_DEBUG_CHUNKS: '1', PLAYBOOK_CACHE_DIR: cache };
    const run = () =>
      runCli(box, ['validate', file], { env, statePath: null, bin: join(copy, 'dist', 'bin.cjs') });
    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    const main = [...chunkTrace(first.stderr).keys()][0] as string;
    expect(main).toMatch(/^main-/);

    // Another build: the chunk's SHA-1 (written by the build next to the chunks) differs.
    const hashes = join(copy, 'dist', 'chunks', 'hashes.json');
    const rebuilt = JSON.parse(readFileSync(hashes, 'utf8')) as Record<string, string>;
    rebuilt[main] = '0'.repeat(40);
    writeFileSync(hashes, JSON.stringify(rebuilt));
    const changed = await run();
    expect(seen(changed)).toEqual(seen(first));
    const states = chunkTrace(changed.stderr);
    expect(states.get(main)).toEqual(['miss', 'written']);
    for (const [name, chunkStates] of states) if (name !== main) expect(chunkStates, name).toEqual(['hit']);

    // The chunk edited by hand after the build: not the code the cache holds either.
    const chunk = join(copy, 'dist', 'chunks', main);
    writeFileSync(chunk, `${readFileSync(chunk, 'latin1')}\n// edited\n`, 'latin1');
    const edited = await run();
    expect(seen(edited)).toEqual(seen(first));
    expect(chunkTrace(edited.stderr).get(main)).toEqual(['miss', 'written']);

    // An edit that keeps the chunk's length (V8 compares only the length of the source): the edited code runs.
    const validateChunk = readdirSync(join(copy, 'dist', 'chunks')).find((name) =>
      /^validate-.*\.js$/.test(name),
    );
    const path = join(copy, 'dist', 'chunks', validateChunk as string);
    const before = readFileSync(path, 'latin1');
    expect(before).toContain(' is valid\n');
    writeFileSync(path, before.replace(' is valid\n', ' IS VALID\n'), 'latin1');
    const sameLength = await run();
    expect(sameLength.code, sameLength.stderr).toBe(0);
    expect(sameLength.stdout).toContain(' IS VALID');
    expect(sameLength.stdout).not.toContain(' is valid');
    expect(chunkTrace(sameLength.stderr).get(validateChunk as string)).toEqual(['miss', 'written']);
    expect((await run()).stdout).toContain(' IS VALID');
  });

  it('replaces a damaged entry, and the command runs as with no cache', async () => {
    const cache = box.path('cache-damaged');
    const first = await validate({ PLAYBOOK_CACHE_DIR: cache });
    expect(first.code, first.stderr).toBe(0);
    const folder = join(cache, 'code', readdirSync(join(cache, 'code'))[0] as string, 'validate');
    const entries = readdirSync(folder);
    expect(entries.length).toBe(chunkTrace(first.stderr).size);
    // One byte flipped in every entry: in V8's header, its checksum or its compiled code. V8 11.3 checks none of
    // them: such data aborted the process (exit 133 or 139) or ran.
    for (const offset of [24, 28, 40, 200, -1]) {
      const damaged = new Map<string, Buffer>();
      for (const entry of entries) {
        const bytes = readFileSync(join(folder, entry));
        const at = offset < 0 ? bytes.length + offset : Math.min(offset, bytes.length - 1);
        bytes[at] = (bytes[at] as number) ^ 0x55;
        writeFileSync(join(folder, entry), bytes);
        damaged.set(entry, bytes);
      }
      const replaced = await validate({ PLAYBOOK_CACHE_DIR: cache });
      expect(seen(replaced), `byte ${offset} flipped`).toEqual(seen(first));
      for (const [chunk, states] of chunkTrace(replaced.stderr))
        expect(states, chunk).toEqual(['miss', 'written']);
      for (const entry of entries)
        expect(readFileSync(join(folder, entry)).equals(damaged.get(entry) as Buffer)).toBe(false);
    }
    const again = await validate({ PLAYBOOK_CACHE_DIR: cache });
    expect(seen(again)).toEqual(seen(first));
    for (const states of chunkTrace(again.stderr).values()) expect(states).toEqual(['hit']);
  });

  it('replaces data that V8 rejects', async () => {
    const cache = box.path('cache-rejected');
    const first = await validate({ PLAYBOOK_CACHE_DIR: cache });
    expect(first.code, first.stderr).toBe(0);
    const folder = join(cache, 'code', readdirSync(join(cache, 'code'))[0] as string, 'validate');
    // Whole entries of the right chunks, but what they hold is not V8's data.
    const chunks = join(binPath, '..', 'chunks');
    const hashes = JSON.parse(readFileSync(join(chunks, CHUNK_HASHES), 'utf8')) as Record<string, string>;
    for (const name of chunkTrace(first.stderr).keys()) {
      const bytes = readFileSync(join(chunks, name));
      const entry = join(folder, `${hashes[name]}-${bytes.length}.v8`);
      expect(readFileSync(entry).length).toBeGreaterThan(0);
      writeFileSync(entry, frameEntry(sourceChecksum(bytes), Buffer.from('not compiled code')));
    }

    const rejected = await validate({ PLAYBOOK_CACHE_DIR: cache });
    expect(seen(rejected)).toEqual(seen(first));
    for (const states of chunkTrace(rejected.stderr).values())
      expect(states).toEqual(['rejected', 'written']);
    const again = await validate({ PLAYBOOK_CACHE_DIR: cache });
    for (const states of chunkTrace(again.stderr).values()) expect(states).toEqual(['hit']);
  });

  it('that cannot be written changes nothing the operator sees', async () => {
    // A folder inside a file: it cannot be created, by root either.
    writeFileSync(box.path('a-file'), '');
    const unwritable = await validate({ PLAYBOOK_CACHE_DIR: join(box.path('a-file'), 'cache') });
    const off = await validate({ PLAYBOOK_CODE_CACHE: 'off' });
    expect(unwritable.code, unwritable.stderr).toBe(0);
    expect(seen(unwritable)).toEqual(seen(off));
    const states = [...chunkTrace(unwritable.stderr).values()];
    expect(states[0]).toEqual(['miss', 'not written']);
    for (const chunkStates of states.slice(1)) expect(chunkStates).toEqual(['miss']);
  });

  it('is not read nor written when switched off', async () => {
    const cache = box.path('cache-off');
    const off = await validate({ PLAYBOOK_CODE_CACHE: 'off', PLAYBOOK_CACHE_DIR: cache });
    expect(off.code, off.stderr).toBe(0);
    for (const states of chunkTrace(off.stderr).values()) expect(states).toEqual(['off']);
    expect(box.exists('cache-off')).toBe(false);
  });
});
