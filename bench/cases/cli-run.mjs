// A whole `playbook run` of 1,000 `true` nodes with the SQLite state file, against a plain Node program
// spawning `sh -c true` 1,000 times (both pay for starting Node).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, compare, generatedRunbook, ROOT, runAsync, scratchDir } from '../lib.mjs';

export const title = 'CLI run';

export async function bench({ quick }) {
  const count = quick ? 200 : 1_000;
  const dir = scratchDir('cli-run');
  const file = join(dir, 'bench.playbook.toml');
  writeFileSync(file, generatedRunbook(count, { chain: false }));
  const env = { ...process.env, XDG_CONFIG_HOME: dir };
  const r = await compare(
    3,
    () => runAsync(process.execPath, [join(ROOT, 'bench/plain-spawns.mjs'), String(count)]),
    () =>
      runAsync(
        process.execPath,
        [CLI, 'run', file, '--non-interactive', '--state-path', join(dir, 'state.db')],
        {
          env,
        },
      ),
  );
  return [
    {
      measure: `\`playbook run\` of ${count} \`true\` nodes (SQLite)`,
      baseline: `node program: ${count} × spawn \`sh -c true\``,
      ...r,
      target: 1.3,
    },
  ];
}
