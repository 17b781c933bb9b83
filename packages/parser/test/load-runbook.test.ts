import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRunbook, MAX_RUNBOOK_BYTES } from '@playbook/parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'playbook-parser-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const onlyProblem = async (path: string) => {
  const result = await loadRunbook(path);
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(result.problems).toHaveLength(1);
  return result.problems[0]!;
};

describe('loadRunbook: file-level problems', () => {
  it('a missing file', async () => {
    const path = join(dir, 'nope.playbook.toml');
    expect(await onlyProblem(path)).toEqual({
      severity: 'error',
      code: 'FILE_NOT_FOUND',
      message: 'file not found',
      file: path,
    });
  });

  it('a directory', async () => {
    expect(await onlyProblem(dir)).toMatchObject({
      code: 'NOT_A_FILE',
      message: 'is a directory, not a runbook file',
    });
  });

  it('a name not ending in .playbook.toml', async () => {
    const path = join(dir, 'deploy.toml');
    await writeFile(path, '[runbook]\n');
    expect(await onlyProblem(path)).toMatchObject({
      code: 'BAD_FILE_NAME',
      message: 'not a runbook file: the name must end in .playbook.toml',
      file: path,
    });
  });

  it('an empty file', async () => {
    const path = join(dir, 'empty.playbook.toml');
    await writeFile(path, '  \n\n');
    expect(await onlyProblem(path)).toMatchObject({ code: 'EMPTY_FILE', line: 1, column: 1 });
  });

  it('a file over 32 MiB is refused before parsing, naming its size and the limit', async () => {
    const path = join(dir, 'huge.playbook.toml');
    await writeFile(path, '');
    await truncate(path, MAX_RUNBOOK_BYTES + 1);
    expect(await onlyProblem(path)).toMatchObject({
      code: 'FILE_TOO_LARGE',
      message:
        'the file is 32 MiB (33,554,433 bytes), over the 32 MiB (33,554,432 bytes) limit for a runbook',
    });
    await truncate(path, 45 * 1024 * 1024);
    expect((await onlyProblem(path)).message).toBe(
      'the file is 45 MiB (47,185,920 bytes), over the 32 MiB (33,554,432 bytes) limit for a runbook',
    );
  });

  it('bytes that are not UTF-8, with the position of the first bad byte', async () => {
    const path = join(dir, 'latin1.playbook.toml');
    await writeFile(path, Buffer.concat([Buffer.from('# ok\n# caf'), Buffer.from([0xe9, 0x0a])]));
    expect(await onlyProblem(path)).toEqual({
      severity: 'error',
      code: 'NOT_UTF8',
      message: 'the file is not valid UTF-8 text (byte 0xe9 at offset 10)',
      file: path,
      line: 2,
      column: 6,
    });
  });
});
