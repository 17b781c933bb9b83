import { quote } from './posix-shell.js';
import type { CompletionSpec, OptionSpec, ValueKind } from './spec.js';

/** The `complete` arguments that offer an option's value (or a positional argument) of this kind. */
function valueArguments(value: ValueKind, command: string): string {
  switch (value.kind) {
    case 'none':
      return '-x';
    case 'words':
      return `-x -a ${quote(value.words.join(' '))}`;
    case 'file':
      return '-r -F';
    case 'runbook':
      return "-x -a '(__playbook_runbooks)'";
    case 'workflow':
      return "-x -a '(__playbook_complete workflows)'";
    case 'node':
      return "-x -a '(__playbook_complete nodes --file (__playbook_argument 1))'";
    case 'run':
    case 'resumable-run':
      return `-x -a '(__playbook_runs ${command}${value.kind === 'resumable-run' ? ' --resumable' : ''})'`;
  }
}

/** One `complete` line per option: `-s o -l output`, its description, and how its value is completed. */
function optionLine(option: OptionSpec, condition: string, command: string): string {
  const names = option.names
    .map((name) => (name.startsWith('--') ? `-l ${name.slice(2)}` : `-s ${name.slice(1)}`))
    .join(' ');
  const value = option.value === undefined ? '' : ` ${valueArguments(option.value, command)}`;
  return `complete -c playbook -n ${quote(condition)} ${names}${value} -d ${quote(option.description)}`;
}

/** The fish completion script. */
export function fishScript(spec: CompletionSpec): string {
  const valueOptions = [spec.global, ...spec.commands.map((command) => command.options)]
    .flat()
    .filter((option) => option.value !== undefined)
    .flatMap((option) => option.names);
  const workflowFirst = spec.commands
    .filter((command) => command.positionals[0]?.kind === 'workflow')
    .map((command) => command.name);
  const lines: string[] = [];
  for (const command of spec.commands) {
    lines.push(
      `complete -c playbook -n __playbook_no_command -a ${quote(command.name)} -d ${quote(command.description)}`,
    );
  }
  for (const option of [...spec.global, ...spec.topLevel])
    lines.push(optionLine(option, '__playbook_no_command', ''));
  for (const command of spec.commands) {
    const condition = `__playbook_command_is ${command.name}`;
    for (const option of [...command.options, ...spec.global])
      lines.push(optionLine(option, condition, command.name));
    command.positionals.forEach((value, index) => {
      lines.push(
        `complete -c playbook -n ${quote(`${condition}; and __playbook_at_argument ${index + 1}`)} ${valueArguments(value, command.name)}`,
      );
    });
  }
  return `# playbook completion for fish. Install it with:
#   playbook completion fish > ~/.config/fish/completions/playbook.fish
# Completes commands, options, runbook files, and the workflow names, run ids and node ids of your history.

# The command and its arguments typed before the cursor, without options and their values.
function __playbook_words
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for token in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        if string match -q -- '-*' $token
            contains -- $token ${valueOptions.map(quote).join(' ')}; and set skip 1
            continue
        end
        echo $token
    end
end

function __playbook_no_command
    test (count (__playbook_words)) -eq 0
end

function __playbook_command_is
    set -l words (__playbook_words)
    test "$words[1]" = "$argv[1]"
end

# True when the word at the cursor is the command's argument number $argv[1].
function __playbook_at_argument
    test (count (__playbook_words)) -eq $argv[1]
end

function __playbook_argument
    set -l words (__playbook_words)
    set -l index (math $argv[1] + 1)
    echo $words[$index]
end

# The global options typed so far, so that --state-path and --config are honoured.
function __playbook_globals
    set -l tokens (commandline -opc)
    for i in (seq 2 (count $tokens))
        if contains -- $tokens[$i] --state-path --state-url --config
            echo $tokens[$i]
            set -l next (math $i + 1)
            echo $tokens[$next]
        end
    end
end

# Runbook files and folders under the word being completed.
function __playbook_runbooks
    for path in (commandline -ct)*
        if test -d $path
            echo $path/
        else if string match -q -- '*.playbook.toml' $path
            echo $path
        end
    end
end

# Candidates from the run history, one per line, through the hidden \`playbook __complete\`.
function __playbook_complete
    command playbook (__playbook_globals) __complete $argv 2>/dev/null
end

function __playbook_runs
    set -l command $argv[1]
    set -e argv[1]
    if contains -- $command ${workflowFirst.map(quote).join(' ')}
        __playbook_complete runs --workflow (__playbook_argument 1) $argv
    else
        __playbook_complete runs --file (__playbook_argument 1) $argv
    end
end

complete -c playbook -f
${lines.join('\n')}
`;
}
