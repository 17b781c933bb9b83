#!/usr/bin/env node
// Long mode of the fault tests (docs/reliability.md): many more random SIGKILL / SIGINT / SIGTERM trials and
// concurrent resumes than CI runs. Usage: node scripts/faults-long.mjs [trials] [seed]
//   trials  per fault (default: the long-mode numbers in each test file, 20 SIGKILLs and 10 of the others)
//   seed    replays the random moments of an earlier failure (its title prints the seed)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [trials, seed] = process.argv.slice(2);
const env = { ...process.env, PLAYBOOK_FAULTS_LONG: '1' };
if (trials !== undefined) env.PLAYBOOK_FAULTS_TRIALS = trials;
if (seed !== undefined) env.PLAYBOOK_FAULTS_SEED = seed;

const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();
const result = spawnSync('npx', ['vitest', 'run', 'apps/cli/test/faults', '--testTimeout=120000'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
console.log(`\nfault tests, long mode: ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(result.status ?? 1);
