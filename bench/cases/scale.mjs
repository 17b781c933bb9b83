// Large runbooks: whether a step costs the same at the end of a long run as at the start (per-node time of a
// 20,000-node run against a 2,000-node run, same machine, same minute), the peak memory of 20,000- and
// 100,000-node runs, and validate / export-dot of a 200,000-node chain against a 20,000-node one (linear ≈ 10×).
// The runs use Function nodes calling `playbook:notify`: no process is spawned, so what is timed is the
// engine, the state file and the terminal output, not fork().
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, generatedRunbook, median, ROOT, runAsync, scratchDir, timeMs } from '../lib.mjs';

export const title = 'scale';

const PEAK_RSS = join(ROOT, 'bench/peak-rss.cjs');

/** Runs the CLI once; returns its wall time (ms) and peak RSS (MiB). */
async function measureCli(dir, args) {
  const rssFile = join(dir, 'rss');
  const env = { ...process.env, XDG_CONFIG_HOME: dir, PLAYBOOK_BENCH_RSS_FILE: rssFile };
  const ms = await timeMs(() => runAsync(process.execPath, ['--require', PEAK_RSS, CLI, ...args], { env }));
  return { ms, rssMiB: Number(readFileSync(rssFile, 'utf8')) / 1024 };
}

const mib = (value) => `${value.toFixed(1)} MiB`;

/** A row comparing the peak RSS of two runs, with the aim in its note. */
function rssRow(measure, baseline, base, candidate, aimMiB) {
  return {
    measure,
    baseline,
    baselineMs: null,
    candidateMs: null,
    baselineValue: mib(base.rssMiB),
    candidateValue: mib(candidate.rssMiB),
    ratio: candidate.rssMiB / base.rssMiB,
    target: null,
    note: `aim ≤ ${aimMiB} MiB (${mib(candidate.rssMiB)})`,
  };
}
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

export async function bench({ quick }) {
  const dir = scratchDir('scale');
  const file = (name, count, options) => {
    const path = join(dir, `${name}.playbook.toml`);
    writeFileSync(path, generatedRunbook(count, options));
    return path;
  };
  const small = quick ? 500 : 2_000;
  const large = quick ? 5_000 : 20_000;
  const huge = quick ? 20_000 : 100_000;
  const chain = quick ? 20_000 : 200_000;
  const reps = quick ? 1 : 3;

  const runOf = async (count) => {
    const path = file(`run-${count}`, count, { kind: 'function' });
    const results = [];
    for (let i = 0; i < reps; i++) {
      results.push(
        await measureCli(dir, [
          'run',
          path,
          '--non-interactive',
          '--state-path',
          join(dir, `${count}-${i}.db`),
        ]),
      );
    }
    return { ms: median(results.map((r) => r.ms)), rssMiB: median(results.map((r) => r.rssMiB)) };
  };
  const smallRun = await runOf(small);
  const largeRun = await runOf(large);
  const hugePath = file(`run-${huge}`, huge, { kind: 'function' });
  const hugeRun = await measureCli(dir, [
    'run',
    hugePath,
    '--non-interactive',
    '--state-path',
    join(dir, 'huge.db'),
  ]);

  const chainOf = async (count, command) => {
    const path = file(`chain-${command}-${count}`, count);
    const extra = command === 'export-dot' ? ['--output', join(dir, `chain-${count}.dot`)] : [];
    const results = [];
    for (let i = 0; i < reps; i++) results.push(await measureCli(dir, [command, path, ...extra]));
    return { ms: median(results.map((r) => r.ms)), rssMiB: median(results.map((r) => r.rssMiB)) };
  };
  const validateSmall = await chainOf(chain / 10, 'validate');
  const validateLarge = await chainOf(chain, 'validate');
  const dotSmall = await chainOf(chain / 10, 'export-dot');
  const dotLarge = await chainOf(chain, 'export-dot');

  const perNode = (run, count) => run.ms / count;
  const n = (count) => count.toLocaleString('en');
  return [
    {
      measure: `\`playbook run\`, time per node: ${n(large)} \`playbook:notify\` nodes`,
      baseline: `the same per node for ${n(small)} nodes`,
      baselineMs: perNode(smallRun, small),
      candidateMs: perNode(largeRun, large),
      ratio: perNode(largeRun, large) / perNode(smallRun, small),
      target: 1.3,
    },
    rssRow(
      `peak RSS, \`playbook run\` of ${n(large)} nodes`,
      `the same for ${n(small)} nodes`,
      smallRun,
      largeRun,
      150,
    ),
    {
      measure: `\`playbook run\` of ${n(huge)} nodes: time`,
      baseline: `${n(small)} nodes, scaled to ${n(huge)}`,
      baselineMs: (smallRun.ms * huge) / small,
      candidateMs: hugeRun.ms,
      ratio: hugeRun.ms / ((smallRun.ms * huge) / small),
      target: null,
      note: `${secs(hugeRun.ms)}, ${Math.round(huge / (hugeRun.ms / 1000))} nodes/s`,
    },
    rssRow(
      `peak RSS, \`playbook run\` of ${n(huge)} nodes`,
      `the same for ${n(small)} nodes`,
      smallRun,
      hugeRun,
      300,
    ),
    {
      measure: `\`playbook validate\` of a ${n(chain)}-node chain`,
      baseline: `the same for ${n(chain / 10)} nodes`,
      baselineMs: validateSmall.ms,
      candidateMs: validateLarge.ms,
      ratio: validateLarge.ms / validateSmall.ms,
      target: 12,
      note: `peak RSS ${mib(validateLarge.rssMiB)}`,
    },
    {
      measure: `\`playbook export-dot\` (DOT) of a ${n(chain)}-node chain`,
      baseline: `the same for ${n(chain / 10)} nodes`,
      baselineMs: dotSmall.ms,
      candidateMs: dotLarge.ms,
      ratio: dotLarge.ms / dotSmall.ms,
      target: 12,
      note: `peak RSS ${mib(dotLarge.rssMiB)}`,
    },
  ];
}
