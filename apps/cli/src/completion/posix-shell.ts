import type { CompletionSpec, ValueKind } from './spec.js';

// What the bash and zsh scripts share: lookup functions as plain `case` statements (no associative arrays, which
// the bash 3.2 of macOS lacks), generated from the CLI's definitions, and the walk over the words typed so far.

/** `words dot svg png`, `file`, … as the scripts pass a kind around. */
export function kindWord(value: ValueKind): string {
  return value.kind === 'words' ? ['words', ...value.words].join(' ') : value.kind;
}

/** A word for a `case` pattern or an `echo`, single-quoted (command and option names are plain anyway). */
export function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** `_playbook_option_kind <command> <option>`: the kind of the option's value; nothing for a flag. */
export function optionKindFunction(spec: CompletionSpec): string {
  const cases: string[] = [];
  for (const option of spec.global) {
    if (option.value === undefined) continue;
    cases.push(
      `    ${option.names.map((name) => `*' '${quote(name)}`).join('|')}) echo ${quote(kindWord(option.value))} ;;`,
    );
  }
  for (const command of spec.commands) {
    for (const option of command.options) {
      if (option.value === undefined) continue;
      const patterns = option.names.map((name) => quote(`${command.name} ${name}`)).join('|');
      cases.push(`    ${patterns}) echo ${quote(kindWord(option.value))} ;;`);
    }
  }
  return ['_playbook_option_kind() {', '  case "$1 $2" in', ...cases, '  esac', '}'].join('\n');
}

/** `_playbook_argument_kind <command> <index>`: the kind of that positional argument. */
export function argumentKindFunction(spec: CompletionSpec): string {
  const cases: string[] = [];
  for (const command of spec.commands) {
    command.positionals.forEach((value, index) => {
      cases.push(`    ${quote(`${command.name} ${index}`)}) echo ${quote(kindWord(value))} ;;`);
    });
  }
  return ['_playbook_argument_kind() {', '  case "$1 $2" in', ...cases, '  esac', '}'].join('\n');
}

/** The words to offer for a word starting with `-`: the command's options and the global ones, or before any
 * command the global options and `--version` / `--help`. */
export function flagsByCommand(spec: CompletionSpec): Array<{ command: string; flags: string[] }> {
  const global = spec.global.flatMap((option) => option.names);
  return [
    { command: '', flags: [...global, ...spec.topLevel.flatMap((option) => option.names)] },
    ...spec.commands.map((command) => ({
      command: command.name,
      flags: [...command.options.flatMap((option) => option.names), ...global, '--help'],
    })),
  ];
}

/** How one shell spells the pieces the shared functions need. */
export interface ShellDialect {
  /** Offers the words of the variable `rest`, the files, the runbook files. */
  readonly words: string;
  readonly files: string;
  readonly runbooks: string;
  /** The first positional argument (bash arrays count from 0, zsh's from 1). */
  readonly first: string;
  /** The loop header over the words before the cursor, the current word, the index of the cursor. */
  readonly loop: string;
  readonly word: string;
  readonly cursor: string;
  /** A word without its shell quoting. */
  readonly dequote: (word: string) => string;
}

/** `_playbook_values <kind>`: offers the candidates of a kind (history ones through _playbook_lines). */
export function valuesFunction(shell: ShellDialect): string {
  return `_playbook_values() {
  local kind=\${1%% *} rest=\${1#* } target
  case $kind in
    words) ${shell.words} ;;
    file) ${shell.files} ;;
    runbook) ${shell.runbooks} ;;
    workflow) _playbook_lines __complete workflows ;;
    node) _playbook_lines __complete nodes --file "${shell.first}" ;;
    run | resumable-run)
      if [[ $(_playbook_argument_kind "$command" 0) == workflow ]]; then target=--workflow; else target=--file; fi
      if [[ $kind == resumable-run ]]; then
        _playbook_lines __complete runs "$target" "${shell.first}" --resumable
      else
        _playbook_lines __complete runs "$target" "${shell.first}"
      fi
      ;;
  esac
}`;
}

/**
 * The walk over the words before the cursor: finds the command, its positional arguments, the global options
 * that choose the history (passed on to \`__complete\`), and whether the cursor is on an option's value (prev).
 */
export function walkLoop(shell: ShellDialect): string {
  return `  ${shell.loop}
    word=${shell.word}
    case $word in
      -*)
        kind=$(_playbook_option_kind "$command" "$word")
        [[ -z $kind ]] && continue
        ((i++))
        if ((i == ${shell.cursor})); then
          prev=$word
          break
        fi
        case $word in
          --state-path | --state-url | --config) globals+=("$word" "${shell.dequote(shell.word)}") ;;
        esac
        ;;
      *)
        if [[ -z $command ]]; then command=$word; else positionals+=("${shell.dequote('$word')}"); fi
        ;;
    esac
  done`;
}
