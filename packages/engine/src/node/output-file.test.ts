import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRequest } from '../ports/process-runner.js';
import { NodeProcessRunner } from './node-process-runner.js';
import { removeOutputFolders } from './output-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'playbook-outputs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const runner = new NodeProcessRunner({ killGraceMs: 100, drainMs: 100 });
const request = (command: string, overrides: Partial<CommandRequest> = {}): CommandRequest => ({
  command,
  cwd: dir,
  timeoutMs: 10_000,
  signal: new AbortController().signal,
  maxOutputBytes: 1024 * 1024,
  onOutput: () => {},
  ...overrides,
});

describe('the PLAYBOOK_OUTPUT file of a command', () => {
  it('is a fresh empty file of mode 0600 in a private folder (0700), read once the command ends, then deleted', async () => {
    const seen = join(dir, 'seen');
    const result = await runner.run(
      request(
        `stat -c '%a %s' "$PLAYBOOK_OUTPUT" "$(dirname "$PLAYBOOK_OUTPUT")" > ${seen}; echo "$PLAYBOOK_OUTPUT" >> ${seen};` +
          ` echo image=app:1 >> "$PLAYBOOK_OUTPUT"; printf 'body<<EOF\\nA\\nB\\nEOF\\n' >> "$PLAYBOOK_OUTPUT"`,
      ),
    );
    expect(result.outputFile).toEqual({ ok: true, outputs: { image: 'app:1', body: 'A\nB' } });
    const [file = '', folder = '', path = ''] = readFileSync(seen, 'utf8').trim().split('\n');
    expect(file).toBe('600 0');
    expect(folder.split(' ')[0]).toBe('700');
    expect(path.startsWith(tmpdir())).toBe(true);
    expect(existsSync(path)).toBe(false);
  });

  it('is deleted whatever the command replaced it with', async () => {
    const paths = join(dir, 'replaced');
    await runner.run(
      request(`echo "$PLAYBOOK_OUTPUT" >> ${paths}; rm "$PLAYBOOK_OUTPUT"; mkdir -p "$PLAYBOOK_OUTPUT/x"`),
    );
    const [path = ''] = readFileSync(paths, 'utf8').trim().split('\n');
    expect(existsSync(path)).toBe(false);
  });

  it("lives in one folder of this process, made again if the temp folder's cleaner took it", async () => {
    const paths = join(dir, 'folders');
    const note = `echo "$PLAYBOOK_OUTPUT" >> ${paths}`;
    await runner.run(request(note));
    await runner.run(request(`${note}; rm -r "$(dirname "$PLAYBOOK_OUTPUT")"`));
    await runner.run(request(note));
    const [a = '', b = '', c = ''] = readFileSync(paths, 'utf8').trim().split('\n');
    expect(join(a, '..')).toBe(join(b, '..'));
    expect(join(c, '..')).not.toBe(join(a, '..'));
    expect(join(c, '..').startsWith(join(tmpdir(), `playbook-output-${process.pid}-`))).toBe(true);
  });

  it('is made while the previous command runs (never one a command had), and made anew if that one was taken', async () => {
    const notes = join(dir, 'ahead');
    // By the time it looks, the runner has made the next command's file beside this one's.
    await runner.run(
      request(
        `sleep 1.5; ls "$(dirname "$PLAYBOOK_OUTPUT")" > ${notes}; echo "$PLAYBOOK_OUTPUT" >> ${notes}`,
      ),
    );
    const [...seen] = readFileSync(notes, 'utf8').trim().split('\n');
    const own = seen.pop() ?? '';
    expect(seen).toHaveLength(2);
    const next = join(own, '..', seen.find((name) => join(own, '..', name) !== own) ?? '');
    expect(existsSync(next)).toBe(true);
    const second = await runner.run(request(`printf %s "$PLAYBOOK_OUTPUT"; echo a=1 >> "$PLAYBOOK_OUTPUT"`));
    expect(second.stdout).toBe(next);
    expect(second.outputFile).toEqual({ ok: true, outputs: { a: '1' } });
    // The file made ahead went with its folder: the next command gets a new one all the same.
    await runner.run(request('sleep 1.5; rm -r "$(dirname "$PLAYBOOK_OUTPUT")"'));
    const third = await runner.run(request(`echo b=2 >> "$PLAYBOOK_OUTPUT"`));
    expect(third.outputFile).toEqual({ ok: true, outputs: { b: '2' } });
  });

  it('refuses a file the command replaced with a link, even to an empty file', async () => {
    const result = await runner.run(request('rm "$PLAYBOOK_OUTPUT" && ln -s /dev/null "$PLAYBOOK_OUTPUT"'));
    expect(result.outputFile).toEqual({
      ok: false,
      error: 'the output file (PLAYBOOK_OUTPUT) is no longer a regular file',
    });
  });

  it('gives each command its own file', async () => {
    const paths = join(dir, 'paths');
    await runner.run(request(`echo "$PLAYBOOK_OUTPUT" >> ${paths}`));
    await runner.run(request(`echo "$PLAYBOOK_OUTPUT" >> ${paths}`));
    const [first, second] = readFileSync(paths, 'utf8').trim().split('\n');
    expect(first).not.toBe(second);
  });

  it('is deleted, unread, after a timeout and after an interrupt', async () => {
    const paths = join(dir, 'stopped');
    const timedOut = await runner.run(
      request(`echo "$PLAYBOOK_OUTPUT" >> ${paths}; echo a=1 >> "$PLAYBOOK_OUTPUT"; sleep 5`, {
        timeoutMs: 200,
      }),
    );
    expect(timedOut.timedOut).toBe(true);
    expect(timedOut.outputFile).toBeUndefined();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const aborted = await runner.run(
      request(`echo "$PLAYBOOK_OUTPUT" >> ${paths}; sleep 5`, { signal: controller.signal }),
    );
    expect(aborted.aborted).toBe(true);
    for (const path of readFileSync(paths, 'utf8').trim().split('\n')) {
      expect(existsSync(path)).toBe(false);
    }
  });

  it('stops reading a file far over the cap and names the key, without loading it', async () => {
    // 20 MiB of one value: the reading stops at the cap.
    const result = await runner.run(
      request(`{ printf 'big='; head -c 20971520 /dev/zero | tr '\\0' x; echo; } >> "$PLAYBOOK_OUTPUT"`),
    );
    expect(result.outputFile).toEqual({
      ok: false,
      error: 'output "big" is larger than 64 KiB (outputs are never truncated)',
    });
  });

  it('refuses a file the command replaced with something that is not a regular file', async () => {
    const result = await runner.run(request('rm "$PLAYBOOK_OUTPUT" && mkfifo "$PLAYBOOK_OUTPUT"'));
    expect(result.outputFile).toEqual({
      ok: false,
      error: 'the output file (PLAYBOOK_OUTPUT) is no longer a regular file',
    });
  });

  it('has no outputs when the command deleted its file', async () => {
    const result = await runner.run(request('rm "$PLAYBOOK_OUTPUT"'));
    expect(result.outputFile).toEqual({ ok: true, outputs: {} });
  });
});

describe('removeOutputFolders', () => {
  it('removes the output folders a dead process left, and only its own', async () => {
    const mine = join(tmpdir(), 'playbook-output-999999999-abc');
    const other = join(tmpdir(), 'playbook-output-9999999990-abc');
    await mkdir(mine, { recursive: true });
    await writeFile(join(mine, 'output'), 'token=x\n');
    await mkdir(other, { recursive: true });
    try {
      await removeOutputFolders(999999999);
      const names = await readdir(tmpdir());
      expect(names).not.toContain('playbook-output-999999999-abc');
      expect(names).toContain('playbook-output-9999999990-abc');
    } finally {
      await rm(mine, { recursive: true, force: true });
      await rm(other, { recursive: true, force: true });
    }
  });
});
