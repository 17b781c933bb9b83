// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell code, ${…} is its parameter expansion
import {
  argumentKindFunction,
  flagsByCommand,
  optionKindFunction,
  quote,
  type ShellDialect,
  valuesFunction,
  walkLoop,
} from './posix-shell.js';
import type { CompletionSpec } from './spec.js';

const BASH: ShellDialect = {
  words: '_playbook_words $rest',
  files: '_playbook_files',
  runbooks: "_playbook_files '*.playbook.toml'",
  first: '${positionals[0]}',
  loop: 'for ((i = 1; i < COMP_CWORD; i++)); do',
  word: '${COMP_WORDS[i]}',
  cursor: 'COMP_CWORD',
  dequote: (word) => `$(_playbook_dequote "${word}")`,
};

/** The bash completion script (bash 3.2 and later; also what zsh's bashcompinit could load). */
export function bashScript(spec: CompletionSpec): string {
  const flags = flagsByCommand(spec)
    .map(({ command, flags }) => `    ${quote(command)}) echo ${quote(flags.join(' '))} ;;`)
    .join('\n');
  const commands = spec.commands.map((command) => command.name).join(' ');
  return `# playbook completion for bash. Load it from ~/.bashrc:
#   source <(playbook completion bash)
# Completes commands, options, runbook files, and the workflow names, run ids and node ids of your history.

${optionKindFunction(spec)}

${argumentKindFunction(spec)}

_playbook_flags() {
  case "$1" in
${flags}
  esac
}

# A word as typed, without its quotes or backslashes: "Incident response", Incident\\ response.
_playbook_dequote() {
  local word=$1
  case $word in
    \\"*\\" | \\'*\\') word=\${word:1:\${#word}-2} ;;
  esac
  printf '%s' "\${word//\\\\/}"
}

_playbook_words() {
  local word
  for word in "$@"; do
    [[ $word == "$cur"* ]] && COMPREPLY+=("$word")
  done
}

# Candidates from the run history, one per line, through the hidden \`playbook __complete\` (with the global
# options typed so far, so --state-path and --config are honoured). Never evaluated: only quoted.
_playbook_lines() {
  local line
  while IFS= read -r line; do
    [[ $line == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$line")")
  done < <(command playbook "\${globals[@]}" "$@" 2>/dev/null)
}

_playbook_files() {
  local path
  type compopt >/dev/null 2>&1 && compopt -o filenames 2>/dev/null
  while IFS= read -r path; do
    if [[ -z $1 || -d $path || $path == $1 ]]; then COMPREPLY+=("$path"); fi
  done < <(compgen -f -- "$cur")
}

${valuesFunction(BASH)}

_playbook() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev= command= word kind i
  local -a globals=() positionals=()
  COMPREPLY=()
${walkLoop(BASH)}
  if [[ -n $prev ]]; then
    _playbook_values "$(_playbook_option_kind "$command" "$prev")"
  elif [[ $cur == -* ]]; then
    _playbook_words $(_playbook_flags "$command")
  elif [[ -z $command ]]; then
    _playbook_words ${commands}
  else
    _playbook_values "$(_playbook_argument_kind "$command" "\${#positionals[@]}")"
  fi
  return 0
}

complete -F _playbook playbook
`;
}
