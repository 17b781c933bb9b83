import type { Cli } from '../clipanion.js';
import { FORMATS } from '../commands/export-dot.js';
import type { PlaybookContext } from '../context.js';

/** The shells `playbook completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/**
 * What a word of the command line can be completed with. `none`: the option takes a value nobody can guess
 * (`--retries`, `--title`); `words`: a fixed list; the others are looked up when the user presses Tab —
 * files, runbook files, or names from the run history through `playbook __complete` (see complete.ts).
 */
export type ValueKind =
  | { readonly kind: 'none' | 'file' | 'runbook' | 'workflow' | 'run' | 'resumable-run' | 'node' }
  | { readonly kind: 'words'; readonly words: readonly string[] };

export interface OptionSpec {
  /** Every spelling: `-o`, `--output`. */
  readonly names: readonly string[];
  readonly description: string;
  /** Undefined for a flag without a value. */
  readonly value: ValueKind | undefined;
}

export interface CommandSpec {
  readonly name: string;
  readonly description: string;
  /** The command's own options (the global ones are in CompletionSpec.global). */
  readonly options: readonly OptionSpec[];
  /** What each positional argument is, in order. */
  readonly positionals: readonly ValueKind[];
}

export interface CompletionSpec {
  readonly commands: readonly CommandSpec[];
  readonly global: readonly OptionSpec[];
  /** Flags that stand alone instead of a command: `--version`, `--help`. */
  readonly topLevel: readonly OptionSpec[];
}

const NONE: ValueKind = { kind: 'none' };

/** The kind of a positional argument, by the name its usage gives it (`<file>`, `[run_id]`). */
const ARGUMENT_KINDS: Readonly<Record<string, ValueKind>> = {
  file: { kind: 'runbook' },
  workflow: { kind: 'workflow' },
  run_id: { kind: 'resumable-run' },
  shell: { kind: 'words', words: SHELLS },
};

/** The kind of an option's value, by its long name; options not listed take a value that is not completed. */
const OPTION_KINDS: Readonly<Record<string, ValueKind>> = {
  '--output': { kind: 'file' },
  '--state-path': { kind: 'file' },
  '--config': { kind: 'file' },
  '--run-id': { kind: 'run' },
  '--node': { kind: 'node' },
  '--workflow': { kind: 'workflow' },
  '--format': { kind: 'words', words: FORMATS },
};

/**
 * The commands, options and arguments to complete, read from the CLI's own definitions (the same ones `--help`
 * and docs/cli-reference.md are made of), so a new command or option completes without touching the scripts.
 */
export function completionSpec(cli: Pick<Cli<PlaybookContext>, 'definitions'>): CompletionSpec {
  const definitions = cli.definitions();
  const topLevel = definitions
    .filter((definition) => definition.path.startsWith('playbook -'))
    .map((definition) => ({
      names: [definition.path.replace(/^playbook /, '')],
      description: oneLine(definition.description ?? ''),
      value: undefined,
    }));
  const commands = definitions.filter((definition) => !definition.path.startsWith('playbook -'));
  const options = commands.map((definition) => definition.options.map(optionSpec));
  // The global options are those every command has (the shared base command's).
  const global = (options[0] ?? []).filter((option) =>
    options.every((list) => list.some((other) => other.names.join() === option.names.join())),
  );
  const isGlobal = (option: OptionSpec) => global.some((g) => g.names.join() === option.names.join());
  return {
    topLevel: [...topLevel, { names: ['-h', '--help'], description: 'List the commands', value: undefined }],
    global,
    commands: commands.map((definition, index) => ({
      name: definition.path.replace(/^playbook /, ''),
      description: oneLine(definition.description ?? ''),
      options: (options[index] ?? []).filter((option) => !isGlobal(option)),
      positionals: positionals(definition.usage, definition.path),
    })),
  };
}

/** `-o,--output <output>` → names and value kind. */
function optionSpec(option: { definition: string; description?: string }): OptionSpec {
  const [spellings = '', placeholder] = option.definition.split(' ');
  const names = spellings.split(',');
  const long = names.find((name) => name.startsWith('--')) ?? names[0] ?? '';
  return {
    names,
    description: oneLine(option.description ?? ''),
    value: placeholder === undefined ? undefined : (OPTION_KINDS[long] ?? NONE),
  };
}

/** `playbook resume <file> [run_id]` → the kinds of `<file>` and `[run_id]`. */
function positionals(usage: string, path: string): ValueKind[] {
  return usage
    .slice(path.length)
    .split(' ')
    .filter((word) => /^[<[][a-z_]+[>\]]$/.test(word))
    .map((word) => ARGUMENT_KINDS[word.slice(1, -1)] ?? NONE);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
