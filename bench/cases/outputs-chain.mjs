// Step outputs passed along a chain (issue 15): a `playbook run` of 1,000 Command nodes, each writing an
// output to $PLAYBOOK_OUTPUT and the next reading it through a template in its command line, against the same
// chain whose commands do the same shell work (one `echo` appended to a file) without outputs: they append to
// /dev/null, declare nothing and read nothing. The difference is what outputs cost a run — the file read and
// parsed after each step, the outputs stored with the attempt, the templates rendered (CEL loaded, each
// expression compiled once and evaluated), the declared outputs checked — not the shell's work.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, compare, RUNBOOK_HEADER, runAsync, scratchDir } from '../lib.mjs';

export const title = 'outputs chain';

/** A chain of `count` nodes; with `outputs`, each writes `x` and the next reads it in its command line. */
export function chainRunbook(count, { outputs }) {
  const lines = [...RUNBOOK_HEADER];
  for (let i = 0; i < count; i++) {
    const value = outputs && i > 0 ? `\${{ steps.n${i - 1}.outputs.x }}` : String(i);
    const target = outputs ? '\\"$PLAYBOOK_OUTPUT\\"' : '/dev/null';
    lines.push(`[n${i}]`, 'type = "Command"', `command_name = "echo x=${value} >> ${target}"`);
    if (outputs) lines.push('outputs = ["x"]');
    if (i > 0) lines.push(`depends_on = ["n${i - 1}"]`);
    lines.push('');
  }
  return lines.join('\n');
}

export async function bench({ quick }) {
  const count = quick ? 200 : 1_000;
  const dir = scratchDir('outputs-chain');
  const plain = join(dir, 'plain.playbook.toml');
  const chained = join(dir, 'chained.playbook.toml');
  writeFileSync(plain, chainRunbook(count, { outputs: false }));
  writeFileSync(chained, chainRunbook(count, { outputs: true }));
  const env = { ...process.env, XDG_CONFIG_HOME: dir };
  let runs = 0;
  const run = (file) => () =>
    runAsync(
      process.execPath,
      [CLI, 'run', file, '--non-interactive', '--state-path', join(dir, `state-${runs++}.db`)],
      { env },
    );
  const r = await compare(quick ? 2 : 5, run(plain), run(chained));
  return [
    {
      measure: `\`playbook run\` of a ${count}-node chain, each node reading the previous one's output`,
      baseline: 'the same chain, the same `echo` to /dev/null, no outputs',
      ...r,
      // The median of the pairs' ratios: each pair ran back to back, which holds better on a busy machine.
      ratio: r.pairedRatio,
      target: 1.1,
    },
  ];
}
