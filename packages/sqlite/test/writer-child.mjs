// Child of processes.test.ts: starts and finishes attempts forever, printing one line after each write has
// committed ("started <node> <attempt>", "finished <node> <attempt> <stdout length>"), until it is killed.
// Writes to a pipe are synchronous on Linux, so a printed line means the write before it returned.
import { pathToFileURL } from 'node:url';

const [modulePath, statePath] = process.argv.slice(2);
const { openSqliteRunRepository } = await import(pathToFileURL(modulePath).href);
const repository = await openSqliteRunRepository(statePath);
const run = await repository.createRun({
  workflowName: 'crash',
  startTime: new Date().toISOString(),
  owner: { host: 'writer', pid: process.pid, processGroup: null },
  runbookHash: null,
  nodeIds: ['n0', 'n1', 'n2'],
});
process.stdout.write(`run ${run.runId}\n`);
for (let i = 0; ; i++) {
  const nodeId = `n${i % 3}`;
  const attempt = await repository.startAttempt({
    workflowName: run.workflowName,
    runId: run.runId,
    nodeId,
    startTime: new Date().toISOString(),
    status: 'running',
  });
  process.stdout.write(`started ${nodeId} ${attempt.attempt}\n`);
  const stdout = `${nodeId}/${attempt.attempt} `.repeat(500 + (i % 7) * 300);
  await repository.finishAttempt(attempt, {
    status: 'ok',
    endTime: new Date().toISOString(),
    durationMs: i,
    exitCode: 0,
    stdout,
  });
  process.stdout.write(`finished ${nodeId} ${attempt.attempt} ${stdout.length}\n`);
}
