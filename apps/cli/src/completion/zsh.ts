// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell code, ${…} is its parameter expansion
import {
  argumentKindFunction,
  optionKindFunction,
  quote,
  type ShellDialect,
  valuesFunction,
  walkLoop,
} from './posix-shell.js';
import type { CompletionSpec, OptionSpec } from './spec.js';

const ZSH: ShellDialect = {
  words: 'compadd -- ${=rest}',
  files: '_files',
  runbooks: "_files -g '*.playbook.toml'",
  first: '${positionals[1]}',
  loop: 'for ((i = 2; i < CURRENT; i++)); do',
  word: '${words[i]}',
  cursor: 'CURRENT',
  dequote: (word) => `\${(Q)${word.replace(/^\$\{?|\}$/g, '')}}`,
};

/** `name:description` for _describe, with the colons of the name escaped. */
function described(name: string, description: string): string {
  return quote(`${name.replaceAll(':', '\\:')}:${description}`);
}

function optionLines(options: readonly OptionSpec[]): string[] {
  return options.flatMap((option) => option.names.map((name) => described(name, option.description)));
}

/** The zsh completion script: the same walk over the words as bash's, with zsh's own candidates. */
export function zshScript(spec: CompletionSpec): string {
  const global = optionLines(spec.global);
  const flagCases = [
    `    '') options=(${[...global, ...optionLines(spec.topLevel)].join(' ')}) ;;`,
    ...spec.commands.map(
      (command) =>
        `    ${quote(command.name)}) options=(${[...optionLines(command.options), ...global, described('--help', 'Show the usage of the command')].join(' ')}) ;;`,
    ),
  ].join('\n');
  const commands = spec.commands.map((command) => described(command.name, command.description)).join(' ');
  return `#compdef playbook
# playbook completion for zsh. Load it from ~/.zshrc, after compinit:
#   source <(playbook completion zsh)
# Completes commands, options, runbook files, and the workflow names, run ids and node ids of your history.

${optionKindFunction(spec)}

${argumentKindFunction(spec)}

# Candidates from the run history, one per line, through the hidden \`playbook __complete\` (with the global
# options typed so far, so --state-path and --config are honoured).
_playbook_lines() {
  local -a lines
  lines=("\${(@f)$(command playbook "\${globals[@]}" "$@" 2>/dev/null)}")
  lines=(\${lines:#})
  compadd -a lines
}

${valuesFunction(ZSH)}

_playbook() {
  local cur=\${words[CURRENT]} prev= command= word kind i
  local -a globals positionals options commands
${walkLoop(ZSH)}
  if [[ -n $prev ]]; then
    _playbook_values "$(_playbook_option_kind "$command" "$prev")"
  elif [[ $cur == -* ]]; then
    case $command in
${flagCases}
    esac
    _describe -t options 'option' options
  elif [[ -z $command ]]; then
    commands=(${commands})
    _describe -t commands 'playbook command' commands
  else
    _playbook_values "$(_playbook_argument_kind "$command" "\${#positionals[@]}")"
  fi
}

compdef _playbook playbook
`;
}
