// Child of the output-memory benchmark: one Command node printing N bytes through the engine; prints peak RSS (KiB).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../packages/engine/dist/index.js';
import { createNodePorts } from '../packages/engine/dist/node/index.js';
import { InMemoryRunRepository, ScriptedPrompter } from '../packages/engine/dist/testing/index.js';
import { parseRunbook } from '../packages/parser/dist/index.js';

const bytes = Number(process.argv[2]);
const dir = mkdtempSync(join(tmpdir(), 'playbook-bench-mem-'));
const text = `[runbook]
title = "mem"
description = "d"
version = "0.1.0"
author = "a"
created_at = "2025-01-01T00:00:00Z"

[print]
type = "Command"
command_name = "head -c ${bytes} /dev/zero | tr '\\\\0' 'a'"
`;
const parsed = parseRunbook(text, join(dir, 'mem.playbook.toml'));
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const runbook = {
  ...parsed.runbook,
  source: { path: join(dir, 'mem.playbook.toml'), directory: dir, hash: '0' },
};
const engine = createEngine({
  ...createNodePorts(),
  repository: new InMemoryRunRepository(),
  prompter: new ScriptedPrompter([]),
});
const outcome = await engine.run(runbook, { interactive: false, onEvent: () => {} });
rmSync(dir, { recursive: true, force: true });
if (outcome.status !== 'ok') throw new Error(`run ended ${outcome.status}`);
console.log(process.resourceUsage().maxRSS);
