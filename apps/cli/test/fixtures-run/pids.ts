import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from './e2e.js';

/** The pids the commands of a test wrote into the sandbox's `pids` folder, one file each (0 for a torn write). */
export async function pidsIn(box: Sandbox): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir(box.path('pids'))) {
    const text = (await readFile(join(box.path('pids'), name), 'utf8')).trim();
    pids.push(/^\d+$/.test(text) ? Number(text) : 0);
  }
  return pids;
}
