import { suggestKey } from '@playbook/domain';
import { nameOptionValues } from './option-values.js';

/** The fields of clipanion's `UnknownSyntaxError` / `AmbiguousSyntaxError` we read. */
interface SyntaxErrorLike {
  readonly input?: readonly string[];
  readonly candidates?: ReadonlyArray<{ readonly usage: string; readonly reason: string | null }>;
  readonly usages?: readonly string[];
  readonly message: string;
}

/** What an operator reads about a command line that does not parse: one `error:` line and one usage line. */
export interface SyntaxErrorReport {
  readonly message: string;
  readonly usage: string;
}

/** Options every command takes: left out of the usage line, which is about this command's own. */
const GLOBAL_OPTIONS = /\[(?:-v,)?--(?:verbose|state-path|state-url|config)\b[^\]]*\] /g;

/** clipanion marks the end of the input with a NUL token. */
const END_OF_INPUT = '\u0000';

/**
 * Turns clipanion's multi-line dump for a command line that does not parse (every candidate usage, "While
 * running …") into one message with a "did you mean" and the usage line of the command meant. `commands` are the
 * registered command names.
 */
export function describeSyntaxError(error: SyntaxErrorLike, commands: readonly string[]): SyntaxErrorReport {
  const input = (error.input ?? []).filter((token) => token !== END_OF_INPUT);
  const usages = (error.candidates?.map((c) => c.usage) ?? error.usages ?? []).map(nameOptionValues);
  const reason = error.candidates?.find((c) => c.reason !== null)?.reason ?? null;
  const named = input.find((token) => commands.includes(token));
  const usageOf = (command: string | undefined): string | undefined =>
    command === undefined ? undefined : usages.find((usage) => usage.split(' ')[1] === command);
  const general = `playbook <${commands.join('|')}> …`;
  const usageLine = (usage: string | undefined): string =>
    `usage: ${(usage ?? general).replace(GLOBAL_OPTIONS, '')}`;

  if (named === undefined) {
    const word = input.find((token) => !token.startsWith('-'));
    if (reason === null && word !== undefined) {
      const guess = suggestKey(word, commands);
      return {
        message: `unknown command "${word}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`,
        usage: usageLine(usageOf(guess)),
      };
    }
  }
  const usage = usageOf(named);
  const command = named === undefined ? '' : ` for ${named}`;
  const options = [...new Set([...(usage ?? '').matchAll(/--?[A-Za-z][\w-]*/g)].map((m) => m[0]))];
  const quoted = /\("(.*)"\)/.exec(reason ?? '')?.[1];
  const unknownOption = (option: string): SyntaxErrorReport => {
    const guess = suggestKey(option, [...options, '--help']);
    return {
      message: `unknown option ${option}${command}${guess === undefined ? '' : ` (did you mean ${guess}?)`}`,
      usage: usageLine(usage),
    };
  };
  if (reason?.startsWith('Unsupported option name') === true && quoted !== undefined) {
    return unknownOption(quoted);
  }
  if (reason?.startsWith('Invalid option name') === true && quoted !== undefined) {
    // `--json=yes`: clipanion's words for a value given to a flag that takes none.
    const option = quoted.split('=')[0] ?? quoted;
    return options.includes(option)
      ? { message: `${option} takes no value (got "${quoted}")`, usage: usageLine(usage) }
      : unknownOption(option);
  }
  if (reason?.startsWith('Extraneous positional argument') === true && quoted !== undefined) {
    return { message: `unexpected argument "${quoted}"${command}`, usage: usageLine(usage) };
  }
  if (reason?.startsWith('Not enough positional arguments') === true) {
    const required = (usage ?? '').replace(/\[[^\]]*\]/g, '').match(/<[^>]+>/g) ?? [];
    const what = required.length === 0 ? 'an argument' : required.join(' ');
    return { message: `missing ${what}${command}`, usage: usageLine(usage) };
  }
  if (reason === null && named !== undefined) {
    // A required option left out: clipanion finds no command and says "Command not found; did you mean".
    const missing = [...(usage ?? '').matchAll(/<(--?[\w-]+)((?:,--?[\w-]+)*)( <[^>]+>)?>/g)].find(
      (match) =>
        !`${match[1]}${match[2] ?? ''}`
          .split(',')
          .some((name) => input.some((token) => token === name || token.startsWith(`${name}=`))),
    );
    if (missing !== undefined) {
      return { message: `missing ${missing[1]}${missing[3] ?? ''}${command}`, usage: usageLine(usage) };
    }
  }
  const option = /^Not enough arguments to option (\S+?)\.?$/.exec(reason ?? '')?.[1];
  if (option !== undefined) {
    return { message: `${option} needs a value`, usage: usageLine(usage) };
  }
  const first = (reason ?? error.message).split('\n')[0] ?? '';
  return {
    message: first.replace(/\.$/, '').replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase()),
    usage: usageLine(usage),
  };
}
