// Renders docs/cli-reference.md from clipanion's command definitions (`cli.definitions()`), so the reference
// is the commands' own `usage` and option descriptions and cannot drift from them. Used by
// scripts/generate-cli-reference.mjs (on the built CLI) and by apps/cli/test/cli-reference.test.ts (on the
// sources). Output is plain Markdown that biome's formatter leaves as it is.

export const CLI_REFERENCE_PATH = 'docs/cli-reference.md';

/**
 * Commands whose examples the docs' shell test cannot run as they are (apps/cli/test/docs-shell.test.ts), and
 * why: the marker it reads goes before each of their example blocks.
 */
const NOT_RUN = new Map([
  [
    'playbook approve',
    'it needs a run waiting at a gate and an approver; docs/approvals.md runs the whole story, apps/cli/test/approvals.e2e.test.ts every rule',
  ],
  [
    'playbook reject',
    'it needs a run waiting at a gate and an approver; docs/approvals.md runs the whole story, apps/cli/test/approvals.e2e.test.ts every rule',
  ],
  [
    'playbook serve',
    'a server runs until it is stopped; apps/cli/test/serve.e2e.test.ts starts and stops it',
  ],
]);

/** The whole Markdown page for `definitions` (the result of clipanion's `cli.definitions()`). */
export function renderCliReference(definitions) {
  const commands = definitions.filter((definition) => !definition.path.includes(' -'));
  const flags = definitions.filter((definition) => definition.path.includes(' -'));
  const global = commonOptions(commands);
  const lines = [
    '# CLI reference',
    '',
    '<!-- Generated from the clipanion command definitions by scripts/generate-cli-reference.mjs: do not edit.',
    '     Regenerate with `pnpm docs:cli`; apps/cli/test/cli-reference.test.ts fails when this file is stale. -->',
    '',
    'Every `playbook` command with its options, as `playbook <command> --help` prints them. For a guided',
    'tour of the commands, exit codes and colours see [cli.md](cli.md).',
    '',
    '```',
    ['playbook', ...global.map(optionUsage), '<command> …'].join(' '),
    ...flags.map((definition) => definition.usage),
    'playbook --help',
    'playbook <command> --help',
    '```',
    '',
  ];
  for (const definition of commands) {
    lines.push(`- [\`${definition.path}\`](#${anchor(definition.path)}): ${inline(definition.description)}`);
  }
  lines.push('', '## Global options', '', 'Accepted by every command, before or after its name.', '');
  for (const option of global) lines.push(optionLine(option));
  for (const definition of flags) {
    lines.push(`- \`${definition.path.replace(/^playbook /, '')}\`: ${inline(definition.description)}`);
  }
  lines.push('- `-h`, `--help`: the list of commands, or (after a command) its usage');
  for (const definition of commands) {
    lines.push('', `## ${definition.path}`, '', `${sentence(definition.description)}`, '');
    lines.push('```', usageLine(definition, global), '```');
    for (const paragraph of paragraphs(definition.details)) lines.push('', paragraph);
    const own = definition.options.filter(
      (option) => !global.some((g) => g.definition === option.definition),
    );
    if (own.length > 0) {
      lines.push('', '### Options', '');
      for (const option of own) lines.push(optionLine(option));
    }
    if ((definition.examples ?? []).length > 0) {
      lines.push('', '### Examples');
      const notRun = NOT_RUN.get(definition.path);
      for (const [description, command] of definition.examples) {
        lines.push('', `${sentence(description)}`, '');
        if (notRun !== undefined) lines.push(`<!-- not run: ${notRun} -->`);
        lines.push('```sh', command, '```');
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Options that every command has (those of the shared base command), in their declared order. */
function commonOptions(commands) {
  const [first, ...rest] = commands;
  if (first === undefined) return [];
  return first.options.filter((option) =>
    rest.every((definition) => definition.options.some((other) => other.definition === option.definition)),
  );
}

/** `--run-id #0` → names and placeholder: `--run-id <run-id>`; `-o,--output #0` → `-o`, `--output <output>`. */
function optionNames(option) {
  const [names, arity] = option.definition.split(' ');
  const list = names.split(',');
  const long = list.find((name) => name.startsWith('--')) ?? list[0];
  const placeholder = arity === undefined ? '' : ` <${long.replace(/^-+/, '')}>`;
  return list.map((name) => (name === long ? `${name}${placeholder}` : name));
}

function optionLine(option) {
  const names = optionNames(option)
    .map((name) => `\`${name}\``)
    .join(', ');
  const required = option.required ? ' (required)' : '';
  return `- ${names}${required}: ${inline(option.description ?? '')}`;
}

/** The command line with its arguments and its own options: `playbook run <file> [--retries <retries>]…`. */
function usageLine(definition, global) {
  const own = definition.options.filter((option) => !global.some((g) => g.definition === option.definition));
  return [definition.usage, ...own.map(optionUsage)].join(' ');
}

/** One option in a command line: `[-o|--output <output>]`, or without brackets when required. */
function optionUsage(option) {
  const text = optionNames(option)
    .map((name) => name.replace(/ <.*>$/, ''))
    .join('|');
  const placeholder = option.definition.includes(' ')
    ? ` <${text.split('|').at(-1).replace(/^-+/, '')}>`
    : '';
  return option.required ? `${text}${placeholder}` : `[${text}${placeholder}]`;
}

/** clipanion wraps text at 80 columns (a space, then a line break); join it back into paragraphs. */
function paragraphs(text) {
  if (text === undefined) return [];
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => escapeOutsideCode(paragraph.replace(/\s*\n\s*/g, ' ').trim()))
    .filter((paragraph) => paragraph !== '');
}

function inline(text) {
  return escapeOutsideCode(text.replace(/\s*\n\s*/g, ' ').trim());
}

/** A one-line text as a sentence: clipanion's descriptions have no final full stop. */
function sentence(text) {
  const line = inline(text);
  return /[.:!?]$/.test(line) ? line : `${line}.`;
}

/** `<n>` outside backticks would be read as an HTML tag by Markdown renderers: escape it there. */
function escapeOutsideCode(text) {
  return text
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') ? part : part.replaceAll('<', '&lt;').replaceAll('>', '&gt;')))
    .join('');
}

/** GitHub's heading anchor: lower case, spaces to `-`, punctuation dropped. */
function anchor(heading) {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replaceAll(' ', '-');
}
