// `playbook validate` of a 10,000-node chain whose every node has a template (an input in its command line and
// the previous step's status in its env) against the same chain without templates, in the same run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, compare, generatedRunbook, runAsync, scratchDir } from '../lib.mjs';

export const title = 'templates';

const NODES = 10_000;

/** The generated chain with an input and a template on every node (each a distinct expression). */
export function templatedRunbook(count) {
  const plain = generatedRunbook(count).split('\n');
  const lines = [];
  let node = -1;
  for (const line of plain) {
    if (line === 'created_at = "2025-01-01T00:00:00Z"') {
      lines.push(
        line,
        '',
        '[runbook.inputs.target]',
        'default = "staging"',
        '',
        '[runbook.inputs.count]',
        'type = "integer"',
        'default = 2',
      );
      continue;
    }
    if (line.startsWith('[n')) node++;
    if (line.startsWith('command_name = ')) {
      lines.push(`command_name = "echo \${{ inputs.target }} \${{ inputs.count + ${node} }}"`);
      if (node > 0) lines.push(`env = { PREVIOUS = "\${{ steps.n${node - 1}.status }}" }`);
      continue;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

export async function bench({ quick }) {
  const dir = scratchDir('templates');
  const plain = join(dir, 'plain.playbook.toml');
  const templated = join(dir, 'templated.playbook.toml');
  writeFileSync(plain, generatedRunbook(NODES));
  writeFileSync(templated, templatedRunbook(NODES));
  const validate = (file) => () => runAsync(process.execPath, [CLI, 'validate', file], { check: true });
  const result = await compare(quick ? 3 : 7, validate(plain), validate(templated));
  return [
    {
      measure: `validate a ${NODES.toLocaleString('en')}-node chain, a template on every node`,
      baseline: 'the same chain without templates',
      ...result,
      target: 1.5,
    },
  ];
}
