// clipanion 3.2.1 ships an ESM build (`lib/**/*.mjs`) that imports the directory `../platform`, which Node's
// ESM loader rejects; its package.json has no `exports`, so Vite/Vitest pick that `.mjs` build while Node picks
// the CommonJS `main`. Importing the CommonJS entry by path gives both the same, working module.

export type { BaseContext, CommandClass, Usage } from 'clipanion/lib/advanced/index.js';
export { Builtins, Cli, Command, Option, UsageError } from 'clipanion/lib/advanced/index.js';
