import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionContext, FunctionLoadError } from '../ports/function-loader.js';
import { canLoadTypeScript, NodeFunctionLoader, parseFunctionName } from './node-function-loader.js';

let root: string;
/** The runbook's directory. */
let book: string;

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'playbook-functions-'));
  book = join(root, 'books');
  await put(
    'books/ops.mjs',
    `
    export async function notify(params) { return 'notified ' + params.channel; }
    export default function main(params) { return { main: params }; }
    export const version = 3;
    export const nothing = null;
  `,
  );
  await put(
    'books/lib/legacy.cjs',
    `
    exports.restart = (params) => 'restarted ' + params.service;
    module.exports.greet = function greet() { return 'hi ' + this.who; };
    module.exports.who = 'cjs';
  `,
  );
  await put('books/lib/only-default.cjs', 'module.exports = (params) => params.n * 2;');
  await put('shared/tools.js', 'export const tool = () => "tool";');
  await put('books/package.json', '{"type":"module"}');
  await put('books/broken.mjs', 'export const = ;');
  await put('books/throws.mjs', 'throw new Error("top-level failure\\nsecond line");');
  await put('books/typed.ts', 'export const typed = (p: unknown): string => "typed";');
  // An ESM-only package with an exports map and no "require" condition, resolved from the runbook directory.
  await put(
    'node_modules/@acme/ops/package.json',
    JSON.stringify({
      name: '@acme/ops',
      type: 'module',
      exports: {
        '.': { import: './dist/index.js' },
        './extra/*': { node: { import: './dist/extra/*.js' } },
        './package.json': './package.json',
      },
    }),
  );
  await put(
    'node_modules/@acme/ops/dist/index.js',
    'export const restart = (p) => "acme restart " + p.service;',
  );
  await put('node_modules/@acme/ops/dist/extra/db.js', 'export default () => "acme db";');
  // A plain CommonJS package without exports map: main field.
  await put(
    'node_modules/plain-ops/package.json',
    JSON.stringify({ name: 'plain-ops', main: 'lib/main.js' }),
  );
  await put('node_modules/plain-ops/lib/main.js', 'module.exports = { ping: () => "pong" };');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const loader = new NodeFunctionLoader();

function context(overrides: Partial<FunctionContext> = {}): FunctionContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    signal: new AbortController().signal,
    workflowName: 'wf',
    runId: 1,
    nodeId: 'n',
    runbookDirectory: book,
    logger: {
      info: (m) => lines.push(`info:${m}`),
      warn: (m) => lines.push(`warn:${m}`),
      error: (m) => lines.push(`error:${m}`),
    },
    lines,
    ...overrides,
  };
}

async function loadError(functionName: string, base = book): Promise<FunctionLoadError> {
  const error = await loader.load(functionName, base).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FunctionLoadError);
  const loadError = error as FunctionLoadError;
  expect(loadError.functionName).toBe(functionName);
  expect(loadError.code).toBe('FUNCTION_LOAD');
  expect(loadError.message).not.toContain('\n');
  expect(loadError.message.startsWith(`${functionName}: `)).toBe(true);
  return loadError;
}

describe('parseFunctionName', () => {
  it('splits module and export at the last #', () => {
    expect(parseFunctionName('./ops.mjs#notify')).toEqual({
      kind: 'module',
      specifier: './ops.mjs',
      exportName: 'notify',
    });
    expect(parseFunctionName('@acme/ops')).toEqual({
      kind: 'module',
      specifier: '@acme/ops',
      exportName: undefined,
    });
    expect(parseFunctionName('playbook.functions.sleep')).toEqual({
      kind: 'builtin',
      name: 'playbook.functions.sleep',
    });
  });

  it('rejects empty parts and unknown built-ins', () => {
    expect(() => parseFunctionName('./ops.mjs#')).toThrow(FunctionLoadError);
    expect(() => parseFunctionName('')).toThrow(FunctionLoadError);
    expect(() => parseFunctionName('playbook:explode')).toThrow(/unknown built-in function/);
  });
});

describe('NodeFunctionLoader', () => {
  it('loads a named export of a relative .mjs module', async () => {
    const fn = await loader.load('./ops.mjs#notify', book);
    expect(await fn({ channel: '#ops' }, context())).toBe('notified #ops');
  });

  it('loads the default export without #', async () => {
    const fn = await loader.load('./ops.mjs', book);
    expect(await fn({ a: 1 }, context())).toEqual({ main: { a: 1 } });
  });

  it('loads CommonJS modules: named exports, methods keep their this, module.exports as default', async () => {
    expect(await (await loader.load('./lib/legacy.cjs#restart', book))({ service: 'api' }, context())).toBe(
      'restarted api',
    );
    expect(await (await loader.load('./lib/legacy.cjs#greet', book))({}, context())).toBe('hi cjs');
    expect(await (await loader.load('./lib/only-default.cjs', book))({ n: 21 }, context())).toBe(42);
  });

  it('resolves ../ paths and absolute paths against the runbook directory', async () => {
    expect(await (await loader.load('../shared/tools.js#tool', book))({}, context())).toBe('tool');
    expect(await (await loader.load(`${join(root, 'shared/tools.js')}#tool`, '/'))({}, context())).toBe(
      'tool',
    );
  });

  it('resolves an ESM-only package with an exports map from the runbook directory', async () => {
    const fn = await loader.load('@acme/ops#restart', book);
    expect(await fn({ service: 'db' }, context())).toBe('acme restart db');
    expect(await (await loader.load('@acme/ops/extra/db', book))({}, context())).toBe('acme db');
    expect(await loader.resolve('@acme/ops#restart', book)).toBe(
      join(root, 'node_modules/@acme/ops/dist/index.js'),
    );
  });

  it('resolves a CommonJS package through its main field', async () => {
    expect(await (await loader.load('plain-ops#ping', book))({}, context())).toBe('pong');
  });

  it('reports a missing module', async () => {
    expect((await loadError('./nope.mjs#x')).message).toBe(
      `./nope.mjs#x: cannot find module './nope.mjs' (looked for ${join(book, 'nope.mjs')})`,
    );
    expect((await loadError('@acme/missing#x')).message).toMatch(
      /^@acme\/missing#x: cannot find package '@acme\/missing'/,
    );
    expect((await loadError('@acme/ops/internal#x')).message).toBe(
      `@acme/ops/internal#x: package '@acme/ops' does not export './internal' for import`,
    );
  });

  it('reports a missing export and a missing default export', async () => {
    expect((await loadError('./ops.mjs#restart')).message).toBe(
      `./ops.mjs#restart: module './ops.mjs' has no export 'restart'`,
    );
    expect((await loadError('../shared/tools.js')).message).toBe(
      `../shared/tools.js: module '../shared/tools.js' has no default export`,
    );
  });

  it('reports an export that is not a function', async () => {
    expect((await loadError('./ops.mjs#version')).message).toBe(
      `./ops.mjs#version: export 'version' of './ops.mjs' is a number, not a function`,
    );
    expect((await loadError('./ops.mjs#nothing')).message).toContain(`is null, not a function`);
  });

  it('reports a module that fails to load, on one line', async () => {
    expect((await loadError('./broken.mjs#x')).message).toMatch(
      /^\.\/broken\.mjs#x: cannot load module '\.\/broken\.mjs': /,
    );
    expect((await loadError('./throws.mjs#x')).message).toBe(
      `./throws.mjs#x: cannot load module './throws.mjs': top-level failure`,
    );
  });

  it('loads TypeScript only where Node strips types', async () => {
    if (canLoadTypeScript()) {
      expect(await (await loader.load('./typed.ts#typed', book))({}, context())).toBe('typed');
    } else {
      expect((await loadError('./typed.ts#typed')).message).toBe(
        `./typed.ts#typed: Node ${process.version} cannot load TypeScript modules; use Node 23.6 or newer, or compile './typed.ts' to JavaScript`,
      );
    }
  });

  it('check() returns the error for validate, or undefined when the function loads', async () => {
    expect(await loader.check('./ops.mjs#notify', book)).toBeUndefined();
    expect(await loader.check('playbook:sleep', book)).toBeUndefined();
    const error = await loader.check('./ops.mjs#missing', book);
    expect(error).toBeInstanceOf(FunctionLoadError);
    expect(error?.message).toBe(`./ops.mjs#missing: module './ops.mjs' has no export 'missing'`);
  });
});

describe('built-in functions', () => {
  it.each(['playbook:notify', 'playbook.functions.notify'])('%s logs the message', async (name) => {
    const ctx = context();
    const fn = await loader.load(name, book);
    await fn({ message: 'deploy done' }, ctx);
    expect(ctx.lines).toEqual(['info:deploy done']);
  });

  it.each(['playbook:fail', 'playbook.functions.fail'])('%s throws the message', async (name) => {
    const fn = await loader.load(name, book);
    expect(() => fn({ message: 'boom' }, context())).toThrow(new Error('boom'));
  });

  it.each(['playbook:sleep', 'playbook.functions.sleep'])('%s waits the given seconds', async (name) => {
    const fn = await loader.load(name, book);
    const started = performance.now();
    await fn({ seconds: 0.1 }, context());
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('playbook:sleep rejects promptly when aborted', async () => {
    const fn = await loader.load('playbook:sleep', book);
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 50);
    await expect(fn({ seconds: 60 }, context({ signal: controller.signal }))).rejects.toThrow(
      'playbook:sleep: aborted',
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('playbook:sleep refuses a bad duration', async () => {
    const fn = await loader.load('playbook:sleep', book);
    await expect(fn({ seconds: 'soon' }, context())).rejects.toThrow(/seconds must be a non-negative number/);
  });
});
