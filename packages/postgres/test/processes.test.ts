import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../src/migrations.js';
import { adminQuery, dropSchema, freshSchema } from './schemas.js';

// Child processes run plain Node, without vitest's TypeScript support: give them this package's source
// compiled to JavaScript, with @playbook/sql-store's beside it as an installed package. Only type imports
// reach the other workspace packages, so the output needs nothing more but kysely and pg, found from
// inside this package's node_modules.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const testDir = fileURLToPath(new URL('.', import.meta.url));
let buildDir = '';
let modulePath = '';
const schemas: string[] = [];

beforeAll(() => {
  const cacheDir = join(packageDir, 'node_modules', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  buildDir = mkdtempSync(join(cacheDir, 'playbook-postgres-test-'));
  transpile(join(packageDir, 'src'), buildDir);
  const sqlStoreDir = join(buildDir, 'node_modules', '@playbook', 'sql-store');
  transpile(join(packageDir, '..', 'sql-store', 'src'), sqlStoreDir);
  writeFileSync(
    join(sqlStoreDir, 'package.json'),
    JSON.stringify({ name: '@playbook/sql-store', type: 'module', exports: './index.js' }),
  );
  modulePath = join(buildDir, 'index.js');
});

afterAll(async () => {
  if (buildDir !== '') rmSync(buildDir, { recursive: true, force: true });
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

/** Each non-test TypeScript file of `srcDir` as JavaScript in `outDir`. */
function transpile(srcDir: string, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  for (const file of readdirSync(srcDir)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const { outputText } = ts.transpileModule(readFileSync(join(srcDir, file), 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    writeFileSync(join(outDir, file.replace(/\.ts$/, '.js')), outputText);
  }
}

function startChild(url: string) {
  const child = spawn(process.execPath, [join(testDir, 'create-run-child.mjs'), modulePath, url, 'deploy'], {
    stdio: 'pipe',
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line === 'ready') resolve();
    });
    child.on('close', () => reject(new Error(`child exited before ready: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, lines, ready, exited, stderr: () => stderr };
}

describe('several processes on one database', () => {
  it('gives 8 processes creating a run at once the ids 1…8, with no error', async () => {
    const { schema, url } = await freshSchema();
    schemas.push(schema);
    // All 8 open (and migrate) the brand-new schema at the same time, then create their run on one signal.
    const children = Array.from({ length: 8 }, () => startChild(url));
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.child.stdin.write('go\n');
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(children.map((c) => c.stderr()).join('')).toBe('');
    expect(codes).toEqual(Array.from({ length: 8 }, () => 0));
    const ids = children.map((c) => Number(c.lines.find((line) => line.startsWith('run '))?.slice(4)));
    expect(ids.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const stored = await adminQuery(
      `select run_id from ${schema}.runs where workflow_name = 'deploy' order by run_id`,
    );
    expect(stored.map((row) => row.run_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const migrations = await adminQuery(`select count(*)::int as n from ${schema}.kysely_migration`);
    expect(migrations[0]?.n).toBe(SCHEMA_VERSION);
  });
});
