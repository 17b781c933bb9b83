// Parallel branches (SPEC §9.1): a fan-out of independent `sleep 0.1` nodes at --concurrency 8 against the same
// run one node at a time, and the peak memory of four nodes printing 25 MB each side by side against the same
// four printing 1 MB each — output is cut into prefixed lines as it arrives, never held whole.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, generatedRunbook, median, ROOT, runAsync, scratchDir, timeMs } from '../lib.mjs';

export const title = 'parallel branches';

const PEAK_RSS = join(ROOT, 'bench/peak-rss.cjs');

/** `playbook run` of `file` with `args`, stdout to /dev/null; wall time (ms) and peak RSS (MiB). */
async function measure(dir, file, args) {
  const rssFile = join(dir, 'rss');
  const env = { ...process.env, XDG_CONFIG_HOME: dir, PLAYBOOK_BENCH_RSS_FILE: rssFile };
  const state = join(dir, `state-${Math.random().toString(36).slice(2)}.db`);
  const ms = await timeMs(() =>
    runAsync(
      process.execPath,
      ['--require', PEAK_RSS, CLI, 'run', file, '--non-interactive', '--state-path', state, ...args],
      { env },
    ),
  );
  return { ms, rssMiB: Number(readFileSync(rssFile, 'utf8')) / 1024 };
}

/** Four independent nodes, each printing `bytes` bytes in 100-byte lines. */
function printers(bytes) {
  const nodes = [];
  for (let i = 0; i < 4; i++) {
    const lines = Math.floor(bytes / 100);
    nodes.push(
      `[p${i}]`,
      'type = "Command"',
      // 99 characters and a line feed per line.
      `command_name = "yes ${'x'.repeat(98)} | head -n ${lines}"`,
      '',
    );
  }
  return `${generatedRunbook(0)}\n${nodes.join('\n')}`;
}

export async function bench({ quick }) {
  const dir = scratchDir('parallel');
  // The size: 1,000 nodes. One at a time they take over 100 s (about two minutes), so each side is
  // measured once, not three times; --quick keeps it small.
  const count = quick ? 80 : 1_000;
  const fanOut = join(dir, 'fan-out.playbook.toml');
  writeFileSync(fanOut, generatedRunbook(count, { chain: false, command: 'sleep 0.1' }));
  const sequential = await measure(dir, fanOut, []);
  const parallel = await measure(dir, fanOut, ['--concurrency', '8']);

  const small = join(dir, 'small.playbook.toml');
  const large = join(dir, 'large.playbook.toml');
  writeFileSync(small, printers(1_000_000));
  writeFileSync(large, printers(quick ? 5_000_000 : 25_000_000));
  const reps = quick ? 1 : 3;
  const smallRss = [];
  const largeRss = [];
  for (let i = 0; i < reps; i++) {
    smallRss.push((await measure(dir, small, ['--concurrency', '4'])).rssMiB);
    largeRss.push((await measure(dir, large, ['--concurrency', '4'])).rssMiB);
  }
  const delta = median(largeRss) - median(smallRss);
  return [
    {
      measure: `fan-out of ${count} \`sleep 0.1\` nodes at \`--concurrency 8\``,
      baseline: 'the same run one node at a time',
      baselineMs: sequential.ms,
      candidateMs: parallel.ms,
      ratio: parallel.ms / sequential.ms,
      // At least 3× faster.
      target: 0.33,
      note: `${(sequential.ms / parallel.ms).toFixed(1)}× faster (one run each)`,
    },
    {
      measure: `peak RSS, 4 nodes side by side printing ${quick ? 5 : 25} MB each`,
      baseline: 'the same 4 nodes printing 1 MB each',
      baselineMs: null,
      candidateMs: null,
      baselineValue: `${median(smallRss).toFixed(1)} MiB`,
      candidateValue: `${median(largeRss).toFixed(1)} MiB`,
      ratio: median(largeRss) / median(smallRss),
      target: null,
      note: `difference ${delta.toFixed(1)} MiB; aim within 30 MiB`,
    },
  ];
}
