// Bundles the `playbook` binary after `tsc -b`: dist/bin.cjs, a small entry, and the CLI itself in
// dist/chunks/, loaded lazily, a command's chunks only. The library entry (dist/index.js, typings) stays as tsc
// wrote it. Why chunks: Node reads and compiles every byte a command loads; one file per command made `show`
// about twice as slow (docs/performance.md).
//
// Why the chunks are CommonJS function bodies and not ES modules: Node 20 keeps no compiled code of ES modules
// between runs, and its ES-module loader resolves, stats and reads each file asynchronously. bin.cjs compiles
// the chunks itself through `vm.Script` with V8's code cache (src/start/chunk-loader.ts). So esbuild writes ES
// module chunks (only that format can be split) into a temporary folder, and a second pass turns each into
// CommonJS: `import()` becomes the loader's `__load()`, `import.meta.url` its `__chunkUrl`.

import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

// The bundle takes clipanion's ES-module build, which src/clipanion.ts cannot (Node's loader rejects its
// directory import of `../platform`; here it is resolved to the Node variant): unlike the CommonJS build it can
// be tree-shaken, and it imports typanion (42 kB, only for commands that declare a schema, none of ours) on
// demand, so the chunk every command loads is half the size (130 kB before).
//
// clipanion's default context reads `process.stdin` when its module loads, which makes Node build the stream
// (and load its file streams, promises and readline modules: several milliseconds) for every command, also
// those that never read stdin. Here it becomes a getter that clipanion's copies of the context leave out; the
// CLI hands commands stdin through its own context (src/context.ts). The build fails if the line changes.
const clipanionModules = {
  name: 'clipanion-modules',
  setup(build) {
    build.onResolve({ filter: /^clipanion\/lib\/advanced\/index\.js$/ }, () => ({
      path: require.resolve('clipanion/lib/advanced/index.mjs'),
    }));
    build.onLoad({ filter: /[\\/]clipanion[\\/]lib[\\/]advanced[\\/]Cli\.mjs$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const eager = /^(\s*)stdin: process\.stdin,\n/m;
      if (!eager.test(text)) throw new Error(`bundle: no eager stdin in ${args.path}`);
      const contents = `${text.replace(eager, '')}
Object.defineProperty(Cli.defaultContext, 'stdin', { get: () => process.stdin, enumerable: false, configurable: true });
`;
      return { contents, loader: 'js' };
    });
    build.onResolve({ filter: /^\.\.\/platform$/ }, (args) =>
      args.importer.includes('/clipanion/')
        ? { path: require.resolve('clipanion/lib/platform/node.mjs') }
        : undefined,
    );
  },
};

// better-sqlite3's JavaScript (13 CommonJS files that Node's loader resolved, read and compiled at every `show`,
// `info` and `run`, about a tenth of their start) is bundled, and so code-cached with the rest; its native
// addon stays in node_modules. @playbook/sqlite loads it with a `require` of its own making, which esbuild cannot
// follow: its bundledBetterSqlite3 (used when the addon is where the package builds it) becomes a plain
// `require` here. The build fails if that function changes shape. The CLI's package.json pins better-sqlite3 to
// the exact version bundled: with a range, an install could pair this JavaScript with another version's addon.
const bundledBetterSqlite3 = {
  name: 'bundled-better-sqlite3',
  setup(build) {
    build.onLoad({ filter: /[\\/]packages[\\/]sqlite[\\/]dist[\\/]connect\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const marked = /function bundledBetterSqlite3\(\) \{\s*return requireHere\('better-sqlite3'\);\s*\}/;
      if (!marked.test(text)) throw new Error(`bundle: no bundledBetterSqlite3 in ${args.path}`);
      const contents = text.replace(
        marked,
        "function bundledBetterSqlite3() { return require('better-sqlite3'); }",
      );
      return { contents, loader: 'js' };
    });
  },
};

// @playbook/postgres is only loaded for a PostgreSQL history, but its URL redaction (a few lines) is used by
// every command that names a history: bundled, it costs `show` no resolution of another package.
const postgresRedact = {
  name: 'postgres-redact',
  setup(build) {
    build.onResolve({ filter: /^@playbook\/postgres\/redact$/ }, () => ({
      path: require.resolve('@playbook/postgres/redact'),
    }));
  },
};

// Packages that find files next to themselves at run time (a native addon, WebAssembly, fonts) or that are
// big and only needed by one command stay real imports, resolved from node_modules when that command runs.
// @playbook/sqlite is bundled (each of its ~20 module files cost a resolve, a read and a compile on every
// `show`, `info` and `run`); the Kysely it imports stays a real import, and better-sqlite3's addon (and the
// package itself when its addon is elsewhere) is found in node_modules, hence dependencies of this package
// too. @playbook/report is only loaded by `report`.
const external = [
  '@playbook/postgres',
  '@playbook/graphviz',
  '@playbook/report',
  '@playbook/server',
  'bindings',
  'kysely',
  'pg',
];

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // ASCII only (non-ASCII characters escaped, comments dropped): the loader reads a chunk as Latin-1 into a
  // one-byte string.
  charset: 'ascii',
  legalComments: 'none',
  logLevel: 'warning',
  resolveExtensions: ['.ts', '.js', '.mjs', '.json'],
};

// 1. The ES-module chunks of src/main.ts, in a temporary folder.
const esm = mkdtempSync(join(tmpdir(), 'playbook-bundle-'));
try {
  await build({
    ...common,
    entryPoints: { main: 'src/main.ts' },
    outdir: esm,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    splitting: true,
    format: 'esm',
    sourcemap: 'linked',
    plugins: [clipanionModules, postgresRedact, bundledBetterSqlite3],
    external,
    define: { 'import.meta.url': '__chunkUrl' },
  });

  const names = readdirSync(esm).filter((name) => name.endsWith('.js'));
  const mainChunk = names.find((name) => /^main-[A-Z0-9]+\.js$/.test(name));
  if (mainChunk === undefined) throw new Error('bundle: no main chunk');
  const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
  // What each chunk imports statically: other chunks, and packages that are ES modules (Node's `require` would
  // load another copy of a dual package, or cannot load it at all): the loader imports those first.
  const staticImports = new Map();
  for (const name of names) {
    const path = join(esm, name);
    let text = readFileSync(path, 'utf8');
    if (/\b__load\b/.test(text)) throw new Error(`bundle: ${name} already names __load`);
    // `import(` not preceded by a dot or a name character is a dynamic import (`x.import(` is a method).
    text = text.replace(/(?<![\w$.])import\(/g, '__load(');
    writeFileSync(path, text);
    const imports = [
      ...text.matchAll(/^(?:import|export)\s[^;]*?from\s*"([^"]+)";|^import\s*"([^"]+)";/gms),
    ].map((match) => match[1] ?? match[2]);
    for (const specifier of imports) {
      if (specifier.startsWith('./') || builtins.has(specifier)) continue;
      // A default import of an ES module through the chunk's `require` would be the namespace, not its default.
      const named = new RegExp(
        `^import\\s*\\{[^}]*\\}\\s*from\\s*"${specifier.replace(/[/.]/g, '\\$&')}";`,
        'm',
      );
      if (!named.test(text)) throw new Error(`bundle: ${name} imports ${specifier} other than by names`);
    }
    staticImports.set(name, imports);
  }
  const packagesOf = {};
  for (const name of names) {
    const packages = new Set();
    const seen = new Set([name]);
    const queue = [name];
    while (queue.length > 0) {
      for (const specifier of staticImports.get(queue.pop()) ?? []) {
        if (specifier.startsWith('./')) {
          const chunk = specifier.slice(2);
          if (!seen.has(chunk)) seen.add(chunk) && queue.push(chunk);
        } else if (!builtins.has(specifier)) packages.add(specifier);
      }
    }
    if (packages.size > 0) packagesOf[name] = [...packages].sort();
  }

  // 2. Each chunk as the body of a CommonJS function, with its source map carried over.
  rmSync('dist/chunks', { recursive: true, force: true });
  await build({
    ...common,
    bundle: false,
    entryPoints: names.map((name) => join(esm, name)),
    outdir: 'dist/chunks',
    format: 'cjs',
    sourcemap: 'linked',
  });
  const hashes = {};
  for (const name of readdirSync('dist/chunks').filter((name) => name.endsWith('.js'))) {
    const path = join('dist/chunks', name);
    // esbuild escapes what code holds outside ASCII; what is left is in the comments it keeps (in class bodies).
    const text = readFileSync(path, 'utf8').replace(
      /[^\p{ASCII}]/gu,
      (char) => `\\u{${char.codePointAt(0).toString(16)}}`,
    );
    writeFileSync(path, text);
    // The key of the chunk's entry in the code cache (src/start/chunk-loader.ts).
    hashes[name] = createHash('sha1').update(text, 'latin1').digest('hex');
    if (/(?<![\w$.])import\(|import\.meta/.test(text))
      throw new Error(`bundle: dist/chunks/${name} kept an import`);
  }

  writeFileSync('dist/chunks/hashes.json', `${JSON.stringify(hashes)}\n`);

  // 3. The entry, bin.cjs: the version path and the chunk loader. CommonJS, because an ES-module entry sets up
  // Node's ES-module loader, which costs a start-up more than all of bin.cjs. bin.js, the entry of before,
  // loads it (for scripts and links that name bin.js).
  await build({
    ...common,
    entryPoints: { bin: 'src/bin.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    sourcemap: 'linked',
    define: {
      'import.meta.url': '__binUrl',
      PLAYBOOK_MAIN_CHUNK: JSON.stringify(mainChunk),
      PLAYBOOK_CHUNK_PACKAGES: JSON.stringify(packagesOf),
    },
    banner: { js: "const __binUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  writeFileSync('dist/bin.js', "#!/usr/bin/env node\nimport './bin.cjs';\n");
  rmSync('dist/bin.js.map', { force: true });
} finally {
  rmSync(esm, { recursive: true, force: true });
}

// Executable, so that the link scripts/link-cli.sh puts on the PATH runs as `playbook` (npm does the same for
// an installed package's bin).
chmodSync('dist/bin.cjs', 0o755);
chmodSync('dist/bin.js', 0o755);
