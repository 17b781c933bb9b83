// The built binary run as a real unprivileged user, for tests of permissions: root writes into read-only files
// and folders, so a read-only history can only be tried by someone else. Under root (CI) that is `nobody`,
// through util-linux's `setpriv`; a test run by another user already is unprivileged.
import { spawnSync } from 'node:child_process';
import { binPath } from './e2e.js';

export interface Unprivileged {
  /** Who runs the binary, for messages. */
  readonly who: string;
  /** `startCli`'s `via`: the command that runs Node as that user. */
  readonly via: readonly string[];
}

/** How to run the binary unprivileged here, or why it cannot be done (a reason to skip with). */
export function unprivileged(): Unprivileged | { readonly reason: string } {
  if (process.getuid?.() !== 0) return { who: 'the current user', via: [] };
  const id = (flag: string): string => spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout.trim();
  const uid = id('-u');
  const gid = id('-g');
  if (uid === '' || gid === '') return { reason: 'there is no user "nobody" to drop privileges to' };
  const via = ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];
  // The checkout and Node itself must be readable by nobody (not so under a private home folder).
  const probe = spawnSync('setpriv', [...via.slice(1), process.execPath, binPath, '--version'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (probe.status !== 0) {
    const why = (probe.error?.message ?? probe.stderr).trim().split('\n')[0];
    return { reason: `"nobody" cannot run the built CLI through setpriv here: ${why}` };
  }
  return { who: 'nobody', via };
}
