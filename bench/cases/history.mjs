// History queries behind `info` and `show` on a database of 10,000 runs and 1,000,000 executions, against a
// full scan of the executions table (what an unindexed query would cost) measured on the same file.
import { join } from 'node:path';
import { openSqliteRunRepository } from '../../packages/sqlite/dist/index.js';
import { CLI, Database, median, populateHistory, runAsync, scratchDir, timeMs } from '../lib.mjs';

export const title = 'history queries';

export async function bench({ quick }) {
  const dir = scratchDir('history');
  const path = join(dir, 'history.db');
  const runs = quick ? 1_000 : 10_000;
  const perRun = 100;
  await populateHistory(path, runs, perRun);

  const raw = new Database(path, { readonly: true });
  const scan = () => raw.prepare('SELECT count(*), sum(length(stdout)) FROM executions').get();
  const repo = await openSqliteRunRepository(path, { readonly: true });
  const queries = {
    'listWorkflows (info)': () => repo.listWorkflows(),
    'nodeStatusCounts of one workflow (info)': () => repo.nodeStatusCounts('wf3'),
    'listRuns of one workflow (show)': () => repo.listRuns('wf3'),
    'loadRun (show --run-id)': () => repo.loadRun({ workflowName: 'wf3', runId: Math.floor(runs / 20) }),
  };
  const scanMs = [];
  const samples = Object.fromEntries(Object.keys(queries).map((k) => [k, []]));
  for (let i = 0; i < 5; i++) {
    scanMs.push(await timeMs(scan));
    for (const [name, query] of Object.entries(queries)) samples[name].push(await timeMs(query));
  }
  await repo.close();
  raw.close();
  const baselineMs = median(scanMs);
  const label = `full scan of ${(runs * perRun).toLocaleString('en')} executions`;
  const rows = Object.entries(samples).map(([name, values]) => ({
    measure: name,
    baseline: label,
    baselineMs,
    candidateMs: median(values),
    ratio: median(values) / baselineMs,
    target: null,
    note: `aim < 100 ms (${median(values).toFixed(1)} ms)`,
  }));

  const env = { ...process.env, XDG_CONFIG_HOME: dir };
  const nodeMs = [];
  const cli = { info: [], show: [] };
  for (let i = 0; i < 3; i++) {
    nodeMs.push(await timeMs(() => runAsync(process.execPath, ['-e', '0'])));
    cli.info.push(
      await timeMs(() => runAsync(process.execPath, [CLI, 'info', '--state-path', path], { env })),
    );
    cli.show.push(
      await timeMs(() => runAsync(process.execPath, [CLI, 'show', 'wf3', '--state-path', path], { env })),
    );
  }
  for (const [command, values] of Object.entries(cli)) {
    rows.push({
      measure: `\`playbook ${command}\` end to end`,
      baseline: '`node -e 0`',
      baselineMs: median(nodeMs),
      candidateMs: median(values),
      ratio: median(values) / median(nodeMs),
      target: null,
    });
  }
  return rows;
}
