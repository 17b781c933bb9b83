// `playbook serve` on a history of 10,000 runs and 1,000,000 executions, all of one workflow (the longest runs
// list there can be): the time to answer the runs list and a run's page (a 100-node graph laid out, 100
// attempts), over real HTTP, against a full scan of the executions table measured on the same file.
import { join } from 'node:path';
import { startServer } from '../../packages/server/dist/index.js';
import { openSqliteRunRepository } from '../../packages/sqlite/dist/index.js';
import { Database, median, populateHistory, scratchDir, timeMs } from '../lib.mjs';

export const title = 'web view';

export async function bench({ quick }) {
  const dir = scratchDir('serve');
  const path = join(dir, 'history.db');
  const runs = quick ? 1_000 : 10_000;
  const perRun = 100;
  await populateHistory(path, runs, perRun, 1);

  const raw = new Database(path, { readonly: true });
  const scan = () => raw.prepare('SELECT count(*), sum(length(stdout)) FROM executions').get();
  const history = await openSqliteRunRepository(path, { readonly: true });
  const server = await startServer({ history, port: 0 });
  const headers = { authorization: `Bearer ${server.token}` };
  const get = async (page) => {
    const response = await fetch(`${server.origin}${page}`, { headers });
    if (response.status !== 200) throw new Error(`${page}: ${response.status}`);
    await response.text();
  };
  let runId = Math.floor(runs / 2);
  const pages = {
    'runs list of a workflow with every run (first page)': () => get('/workflows/wf0'),
    'runs list filtered by status (nok)': () => get('/workflows/wf0?status=nok'),
    // Another run each time: its graph has not been drawn yet.
    'run page, 100 nodes and attempts, graph drawn': () => {
      runId += 1;
      return get(`/workflows/wf0/runs/${runId}`);
    },
    'workflows (home page)': () => get('/'),
  };
  try {
    // Graphviz's WebAssembly is loaded once per process, by the first graph: not what a page costs.
    await get('/workflows/wf0/runs/1');
    const scanMs = [];
    const samples = Object.fromEntries(Object.keys(pages).map((k) => [k, []]));
    for (let i = 0; i < 5; i++) {
      scanMs.push(await timeMs(scan));
      for (const [name, page] of Object.entries(pages)) samples[name].push(await timeMs(page));
    }
    const baselineMs = median(scanMs);
    const label = `full scan of ${(runs * perRun).toLocaleString('en')} executions`;
    return Object.entries(samples).map(([name, values]) => ({
      measure: name,
      baseline: label,
      baselineMs,
      candidateMs: median(values),
      ratio: median(values) / baselineMs,
      target: null,
      note: `aim ≤ 200 ms (${median(values).toFixed(1)} ms)`,
    }));
  } finally {
    await server.close();
    await history.close();
    raw.close();
  }
}
