// Peak memory of the engine while a command prints 100 MB, against the same run printing 1 MB: captured
// output is bounded, so the difference must stay small (aim: within 30 MiB).
import { join } from 'node:path';
import { median, ROOT, run } from '../lib.mjs';

export const title = 'output memory';

function peakRssMiB(bytes) {
  const result = run(process.execPath, [join(ROOT, 'bench/output-memory-child.mjs'), String(bytes)]);
  return Number(result.stdout.trim()) / 1024;
}

export async function bench({ quick }) {
  const reps = quick ? 1 : 3;
  const small = [];
  const large = [];
  for (let i = 0; i < reps; i++) {
    small.push(peakRssMiB(1 << 20));
    large.push(peakRssMiB(100 << 20));
  }
  const delta = median(large) - median(small);
  return [
    {
      measure: 'peak RSS, a node printing 100 MB',
      baseline: 'the same node printing 1 MB',
      baselineMs: null,
      candidateMs: null,
      baselineValue: `${median(small).toFixed(1)} MiB`,
      candidateValue: `${median(large).toFixed(1)} MiB`,
      ratio: median(large) / median(small),
      target: null,
      note: `difference ${delta.toFixed(1)} MiB; aim within 30 MiB`,
    },
  ];
}
