// `playbook --version` cold start against `node -e 0`, the floor of any Node CLI.
import { CLI, compare, runAsync } from '../lib.mjs';

export const title = 'CLI cold start';

export async function bench({ quick }) {
  const reps = quick ? 7 : 21;
  const r = await compare(
    reps,
    () => runAsync(process.execPath, ['-e', '0']),
    () => runAsync(process.execPath, [CLI, '--version']),
  );
  return [
    {
      measure: '`playbook --version`',
      baseline: '`node -e 0`',
      ...r,
      target: 1.5,
    },
  ];
}
