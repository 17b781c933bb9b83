// Child of processes.test.ts: opens the state file, says "ready", waits for "go" on stdin, creates one run
// and prints its id. Argument order: compiled module, state file, workflow name.
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';

const [modulePath, statePath, workflowName] = process.argv.slice(2);
const { openSqliteRunRepository } = await import(pathToFileURL(modulePath).href);
const repository = await openSqliteRunRepository(statePath);
process.stdout.write('ready\n');
process.stdin.once('data', async () => {
  try {
    const run = await repository.createRun({
      workflowName,
      startTime: new Date().toISOString(),
      owner: { host: hostname(), pid: process.pid, processGroup: null },
      runbookHash: null,
      nodeIds: ['a', 'b'],
    });
    process.stdout.write(`run ${run.runId}\n`);
  } catch (error) {
    process.stderr.write(`${error.code ?? ''} ${error.message}\n`);
    process.exitCode = 1;
  } finally {
    await repository.close();
    process.stdin.destroy();
  }
});
