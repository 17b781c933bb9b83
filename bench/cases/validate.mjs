// `playbook validate` of generated chains: time per size, and growth from 10k to 100k nodes (linear ≈ 10×).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, generatedRunbook, median, runAsync, scratchDir, timeMs } from '../lib.mjs';

export const title = 'validate';

export async function bench({ quick }) {
  const dir = scratchDir('validate');
  const sizes = [1_000, 10_000, 100_000];
  const times = {};
  const baseline = [];
  for (const size of sizes) {
    const file = join(dir, `chain-${size}.playbook.toml`);
    writeFileSync(file, generatedRunbook(size));
    const samples = [];
    const reps = quick || size === 100_000 ? 3 : 7;
    for (let i = 0; i < reps; i++) {
      baseline.push(await timeMs(() => runAsync(process.execPath, ['-e', '0'])));
      samples.push(await timeMs(() => runAsync(process.execPath, [CLI, 'validate', file])));
    }
    times[size] = median(samples);
  }
  const base = median(baseline);
  const rows = sizes.map((size) => ({
    measure: `validate a ${size.toLocaleString('en')}-node chain`,
    baseline: '`node -e 0`',
    baselineMs: base,
    candidateMs: times[size],
    ratio: times[size] / base,
    target: null,
  }));
  rows.push({
    measure: 'growth 10k → 100k nodes',
    baseline: 'validate 10k nodes',
    baselineMs: times[10_000],
    candidateMs: times[100_000],
    ratio: times[100_000] / times[10_000],
    target: 12,
  });
  rows[1].note = `aim: under 1 s (${Math.round(times[10_000])} ms)`;
  return rows;
}
