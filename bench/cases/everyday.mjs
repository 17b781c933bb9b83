// The commands an operator types all day — `validate` of a one-node file, a one-node `run`, `show <workflow>`
// and `info` — each paired with `node -e 0` in the same run (baseline and command in turn, the median of the
// pairs' ratios), on a small history (a dozen runs) and on 1,000,000 executions (10,000 runs of 100 steps in
// 10 workflows, written with direct SQL inserts). The floor of any Node CLI is `node -e 0`; the aims are ratios to it.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, compare, populateHistory, run, runAsync, scratchDir } from '../lib.mjs';

export const title = 'everyday commands';

const ONE_NODE = `[runbook]
title = "One"
description = "one step"
version = "0.1.0"
author = "bench"
created_at = "2025-01-01T00:00:00Z"

[only]
type = "Command"
command_name = "true"
`;

export async function bench({ quick }) {
  // 25 pairs: on this shared machine 15 moved a ratio by ±0.3 from one run of the case to the next.
  const reps = quick ? 5 : 25;
  const dir = scratchDir('everyday');
  const file = join(dir, 'one.playbook.toml');
  writeFileSync(file, ONE_NODE);
  const small = join(dir, 'small.db');
  // The CLI's code cache (docs/configuration.md) in the scratch folder: each command is run once before it is
  // timed, so the figures are those of an operator's every day; one row measures a first start without it.
  const cache = join(dir, 'code-cache');
  const env = { ...process.env, XDG_CONFIG_HOME: dir, NO_COLOR: '1', PLAYBOOK_CACHE_DIR: cache };
  for (const key of [
    'CI',
    'PLAYBOOK_STATE_PATH',
    'PLAYBOOK_STATE_URL',
    'PLAYBOOK_CONFIG',
    'PLAYBOOK_CODE_CACHE',
  ])
    delete env[key];
  for (let i = 0; i < 12; i++)
    run(process.execPath, [CLI, 'run', file, '--non-interactive', '--state-path', small], { env });

  const big = join(dir, 'big.db');
  await populateHistory(big, quick ? 1_000 : 10_000, 100);
  const executions = quick ? '100,000' : '1,000,000';

  const cases = [
    ['`validate` of a one-node file', ['validate', file], 1.5, null],
    ['one-node `run`', ['run', file, '--non-interactive', '--state-path', small], 1.8, 'small'],
    ['`show <workflow>`', ['show', 'One', '--state-path', small], 1.5, 'small'],
    ['`info`', ['info', '--state-path', small], 1.5, 'small'],
    ['`show <workflow>`', ['show', 'wf3', '--state-path', big], 2, 'big'],
    ['`info`', ['info', '--state-path', big], 2, 'big'],
    ['`info --workflow`', ['info', '--workflow', 'wf3', '--state-path', big], null, 'big'],
    [
      '`show <workflow>`, first start (empty code cache)',
      ['show', 'One', '--state-path', small],
      null,
      'small',
    ],
  ];
  const rows = [];
  const cold = join(dir, 'cold-cache');
  for (const [measure, args, target, db] of cases) {
    const first = measure.includes('first start');
    const commandEnv = first ? { ...env, PLAYBOOK_CACHE_DIR: cold } : env;
    await runAsync(process.execPath, [CLI, ...args], { env: commandEnv });
    const r = await compare(
      reps,
      () => runAsync(process.execPath, ['-e', '0'], { env }),
      () => {
        if (first) rmSync(cold, { recursive: true, force: true });
        return runAsync(process.execPath, [CLI, ...args], { env: commandEnv });
      },
    );
    rows.push({
      measure:
        db === null ? measure : `${measure}, ${db === 'small' ? 'a dozen runs' : `${executions} executions`}`,
      baseline: '`node -e 0`',
      ...r,
      // Each command right after its own `node -e 0`: the ratio of each pair, then their median.
      ratio: r.pairedRatio,
      target,
    });
  }
  return rows;
}
