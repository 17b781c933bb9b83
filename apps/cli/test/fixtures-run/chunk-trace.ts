// What the built binary's chunk loader reports under PLAYBOOK_DEBUG_CHUNKS=1 (src/start/chunk-loader.ts): one
// line per chunk it compiles, and one per cache entry it writes at exit.
import { ensureBuilt, makeSandbox, type Sandbox } from './e2e.js';

/** Each chunk named, in load order, with what the code cache did: hit, miss, rejected, off, written, not written. */
export function chunkTrace(stderr: string): Map<string, string[]> {
  const states = new Map<string, string[]>();
  for (const [, chunk, state] of stderr.matchAll(/^playbook: chunk (\S+) cache (.+)$/gm)) {
    states.set(chunk as string, [...(states.get(chunk as string) ?? []), state as string]);
  }
  return states;
}

/** The built binary, and a sandbox holding a runbook of one `true` Command node (one.playbook.toml). */
export async function oneNodeSandbox(): Promise<{ box: Sandbox; file: string }> {
  ensureBuilt();
  const box = await makeSandbox();
  const file = await box.runbook('one', 'One', '[only]\ntype = "Command"\ncommand_name = "true"');
  return { box, file };
}
