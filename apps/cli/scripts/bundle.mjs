// Bundles the `playbook` binary into dist/bin.js (+ lazily loaded chunks in dist/chunks/) after `tsc -b`.
// Why: Node's ESM loader resolves and reads every module file one by one; the unbundled CLI touched ~85 files
// before printing `--version`, several times the cost of starting Node. One file keeps the cold start close
// to `node -e 0` (see docs/performance.md). The library entry (dist/index.js, typings) stays as tsc wrote it.
import { chmodSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

// The bundle takes clipanion's ES-module build, which src/clipanion.ts cannot (Node's loader rejects its
// directory import of `../platform`; here it is resolved to the Node variant): unlike the CommonJS build it can
// be tree-shaken, and it imports typanion (42 kB, only for commands that declare a schema, none of ours) on
// demand, so the chunk every command loads is half the size (130 kB before).
const clipanionModules = {
  name: 'clipanion-modules',
  setup(build) {
    build.onResolve({ filter: /^clipanion\/lib\/advanced\/index\.js$/ }, () => ({
      path: require.resolve('clipanion/lib/advanced/index.mjs'),
    }));
    build.onResolve({ filter: /^\.\.\/platform$/ }, (args) =>
      args.importer.includes('/clipanion/')
        ? { path: require.resolve('clipanion/lib/platform/node.mjs') }
        : undefined,
    );
  },
};

// Chunk names carry a content hash: drop the previous build's so dist holds only what bin.js imports.
rmSync('dist/chunks', { recursive: true, force: true });

await build({
  entryPoints: { bin: 'src/bin.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [clipanionModules],
  resolveExtensions: ['.ts', '.js', '.mjs', '.json'],
  // Packages that find files next to themselves at run time (a native addon, WebAssembly, fonts) or that are
  // big and only needed by one command stay real imports, resolved from node_modules when that command runs.
  // @playbook/sqlite is bundled (each of its ~20 module files cost a resolve, a read and a compile on every
  // `show`, `info` and `run`); the better-sqlite3 and Kysely it imports stay real imports, hence dependencies
  // of this package too. @playbook/report is only loaded by `report`.
  external: [
    '@playbook/postgres',
    '@playbook/graphviz',
    '@playbook/report',
    '@playbook/server',
    'better-sqlite3',
    'kysely',
    'pg',
  ],
  // A CommonJS module inside an ESM bundle (@iarna/toml, better-sqlite3's loader) needs `require` for the Node
  // built-ins it loads.
  banner: {
    js: "import { createRequire as __playbookCreateRequire } from 'node:module'; const require = __playbookCreateRequire(import.meta.url);",
  },
});

// Executable, so that the link scripts/link-cli.sh puts on the PATH runs as `playbook` (npm does the same for
// an installed package's bin).
chmodSync('dist/bin.js', 0o755);
