// Each `playbook run` keeps its commands' output files (PLAYBOOK_OUTPUT) in a private folder of the temp folder,
// made for its first command and removed when it exits — also when a command left a file of its own beside its
// output file. Nothing of it may stay behind after a run that ended normally (a killed CLI's folder is removed
// by the resume that finds its owner gone: faults/).
import { mkdir, readdir } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeSandbox, runCli } from './fixtures-run/e2e.js';

describe('the output folder of a run', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it.each([
    ['one command', '[only]\ntype = "Command"\ncommand_name = "true"'],
    [
      'three commands (the spawn helper, a spare output file made ahead)',
      '[a]\ntype = "Command"\ncommand_name = "echo x=1 >> \\"$PLAYBOOK_OUTPUT\\""\n\n' +
        '[b]\ntype = "Command"\ncommand_name = "true"\ndepends_on = ["a"]\n\n' +
        '[c]\ntype = "Command"\ncommand_name = "true"\ndepends_on = ["b"]',
    ],
    [
      'a command that leaves a file beside its output file',
      '[litter]\ntype = "Command"\ncommand_name = "touch \\"$(dirname \\"$PLAYBOOK_OUTPUT\\")/left-behind\\""',
    ],
  ])('is gone once a run of %s ends', async (_what, nodes) => {
    const box = await makeSandbox();
    const file = await box.runbook('folder', 'Folder', nodes);
    const tmp = box.path('tmp');
    await mkdir(tmp);
    const result = await runCli(box, ['run', file, '--non-interactive'], { env: { TMPDIR: tmp } });
    expect(result.code, result.stderr).toBe(0);
    expect((await readdir(tmp)).filter((name) => name.startsWith('playbook-output-'))).toEqual([]);
  });
});
