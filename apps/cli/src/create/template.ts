/** What `playbook create` puts in a new runbook's `[runbook]` table. */
export interface TemplateInput {
  readonly title: string;
  readonly author: string;
  readonly description: string;
  /** ISO-8601, UTC. */
  readonly createdAt: string;
}

/** A TOML basic string for any text: quotes, backslashes and control characters escaped. */
export function tomlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * The default file name for a title (SPEC §4): lower case, spaces to `_`, plus `.playbook.toml`. Characters
 * that are unsafe or awkward in file names (path separators, `:*?"<>|`, control characters) are dropped.
 */
export function defaultFileName(title: string): string {
  const base = title
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '_')
    .replace(/[^\p{L}\p{N}_.-]/gu, '')
    .replace(/^[.-]+/, '');
  return `${base === '' ? 'runbook' : base}.playbook.toml`;
}

/**
 * The text of a new runbook: valid as it is (one real Manual step), with a commented-out example of each node
 * type after it that also validates once uncommented.
 */
export function runbookTemplate(input: TemplateInput): string {
  return `# ${input.title.replace(/\s+/g, ' ')}: a Playbook runbook.
# Check it with \`playbook validate <this file>\`, walk through it with \`playbook run <this file>\`.
# Every top-level table other than [runbook] is a step (a node); the table key is the node id.

[runbook]
title       = ${tomlString(input.title)}
description = ${tomlString(input.description)}
version     = "0.1.0"
author      = ${tomlString(input.author)}
created_at  = ${tomlString(input.createdAt)}

# A Manual step: the operator does something by hand, then answers ok or nok (with an optional note).
[first_step]
type     = "Manual"
name     = "First step"
prompt   = "Replace this with the first thing to do. Is it done?"
critical = true

# ---- Examples: uncomment and adapt ---------------------------------------------------------------

# An input of the runbook: given with --var env=prod (or a --vars-file, or PLAYBOOK_VAR_env), else its
# default, else asked at the start. Steps read it as \${{ inputs.env }} in command_name, prompt, description,
# function_params and env values.
# [runbook.inputs.env]
# type        = "string"     # string, integer, number or boolean
# choices     = ["staging", "prod"]
# default     = "staging"
# description = "Where to deploy"

# A Manual step that may be skipped.
# [confirm_window]
# type        = "Manual"
# name        = "Confirm the maintenance window"
# description = "Check the change calendar before going on."
# prompt      = "Is the maintenance window open?"
# depends_on  = ["first_step"]
# skippable   = true

# A Command step: one shell command line, run by /bin/sh -c in this file's directory. Exit code 0 is ok.
# It hands values to later steps by writing key=value lines to the file named by $PLAYBOOK_OUTPUT;
# \`outputs\` lists those it must produce (\`secret_outputs\` for values never stored or shown).
# [build]
# type         = "Command"
# name         = "Build the image"
# command_name = "echo building for \${{ inputs.env }} && echo image=myapp:latest >> \\"$PLAYBOOK_OUTPUT\\""
# outputs      = ["image"]
# depends_on   = ["first_step"]
# timeout      = 600   # seconds per attempt (default: the config's default_timeout_seconds)
# critical     = true
# retry        = { attempts = 3, delay = 5, backoff = 2.0 }   # tries in all, before the operator is asked
# expected_duration = 300   # seconds; past it the step is shown overdue

# A rollback: runs only when a step it depends on ended nok (run_if = "failure"; "always" is for a cleanup that
# runs whatever happened). \`when\` is a condition, decided as the step is ready: false skips it.
# [rollback]
# type         = "Command"
# name         = "Roll back"
# command_name = "echo rolling back"
# depends_on   = ["build"]
# run_if       = "failure"
# when         = "inputs.env == 'prod'"

# A Function step: "<module>#<export>" (a path relative to this file, or a package) or a built-in
# (playbook:notify, playbook:sleep, playbook:fail). A parameter whose value is exactly "\${ask}" is asked
# from the operator before the call.
# [notify]
# type            = "Function"
# name            = "Tell the team"
# function_name   = "playbook:notify"
# function_params = { message = "\${ask}" }
# depends_on      = ["build"]
# skippable       = true
# repeatable      = true
`;
}
