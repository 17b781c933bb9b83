// Child of processes.test.ts: opens the state database, says "ready", waits for "go" on stdin, creates one run
// and prints its id. Argument order: compiled module, database URL, workflow name.
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';

const [modulePath, url, workflowName] = process.argv.slice(2);
const { openPostgresRunRepository } = await import(pathToFileURL(modulePath).href);
let repository;
try {
  repository = await openPostgresRunRepository(url);
} catch (error) {
  process.stderr.write(`open: ${error.code ?? ''} ${error.message}\n`);
  process.exit(1);
}
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
