// The binary loads only the command on its command line (commands/registry.ts); the library, the tests and the
// generated reference register every command (cli.ts). Both must know the same commands.
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli.js';
import { COMMAND_NAMES } from '../src/commands/names.js';
import { COMMAND_LOADERS, commandsFor } from '../src/commands/registry.js';

const names = (classes: ReadonlyArray<{ paths?: string[][] }>) =>
  classes.flatMap((command) => command.paths ?? []).map((path) => path.join(' '));

describe('the command registry', () => {
  it('has a loader for every command of cli.ts, in the same order, each loading that command', async () => {
    const commands = names(COMMANDS).filter((name) => !name.startsWith('-'));
    expect(Object.keys(COMMAND_LOADERS)).toEqual(commands);
    for (const [name, load] of Object.entries(COMMAND_LOADERS)) expect(names([await load()])).toContain(name);
  });

  it('names the same commands as the list the binary keys its code caches by', () => {
    expect(COMMAND_NAMES).toEqual(Object.keys(COMMAND_LOADERS));
  });

  it('loads the named command only, and every command for anything else', async () => {
    expect(names(await commandsFor(['show', 'Deploy']))).toEqual(['-h', '--help', '--version', 'show']);
    const all = names(COMMANDS).length;
    for (const argv of [[], ['--help'], ['sho'], ['constructor'], ['completion', 'bash']]) {
      expect(names(await commandsFor(argv)), argv.join(' ')).toHaveLength(all);
    }
  });
});
