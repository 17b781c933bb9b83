// Engine overhead: 1,000 `true` Command nodes through the engine with the in-memory repository, against a
// plain loop spawning `sh -c true` 1,000 times in the same process.
import { createEngine } from '../../packages/engine/dist/index.js';
import { createNodePorts } from '../../packages/engine/dist/node/index.js';
import { InMemoryRunRepository, ScriptedPrompter } from '../../packages/engine/dist/testing/index.js';
import { parseRunbook } from '../../packages/parser/dist/index.js';
import { compare, generatedRunbook, plainSpawns, scratchDir } from '../lib.mjs';

export const title = 'engine';

export async function bench({ quick }) {
  const count = quick ? 200 : 1_000;
  const dir = scratchDir('engine');
  const parsed = parseRunbook(generatedRunbook(count, { chain: false }), `${dir}/bench.playbook.toml`);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems[0]));
  const runbook = {
    ...parsed.runbook,
    source: { path: `${dir}/bench.playbook.toml`, directory: dir, hash: '0' },
  };
  const r = await compare(
    3,
    () => plainSpawns(count),
    async () => {
      const engine = createEngine({
        ...createNodePorts(),
        repository: new InMemoryRunRepository(),
        prompter: new ScriptedPrompter([]),
      });
      const outcome = await engine.run(runbook, { interactive: false });
      if (outcome.status !== 'ok') throw new Error(`engine run ended ${outcome.status}`);
    },
  );
  return [
    {
      measure: `engine run of ${count} \`true\` nodes (in-memory repository)`,
      baseline: `${count} × spawn \`sh -c true\``,
      ...r,
      target: 1.15,
    },
  ];
}
