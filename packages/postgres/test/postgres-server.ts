import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A throw-away PostgreSQL cluster made with the local server binaries. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/<database>`; the server trusts every connection from there. */
  readonly url: string;
  /** Stops the server (`fast`: ends the sessions at once, as an operator's `pg_ctl stop` does). */
  stop(mode?: 'fast' | 'immediate'): void;
  /** Stops the server if it still runs and deletes its files. */
  remove(): void;
}

export const INSTALL_HINT = `PostgreSQL server binaries (initdb, pg_ctl, postgres) are needed by the @playbook/postgres tests and none were found (looked at \`pg_config --bindir\`, /usr/lib/postgresql/*/bin and PATH).
Install them — Debian/Ubuntu: \`apt-get install -y postgresql\` (scripts/setup.sh does it); macOS: \`brew install postgresql@16\`; Fedora: \`dnf install postgresql-server\` —
or point the tests at a server you have: PLAYBOOK_TEST_POSTGRES_URL=postgres://user:password@host:5432/database`;

/** Whether a cluster can be made here: the server binaries are installed. */
export function canStartPostgresServer(): boolean {
  return findBinDir() !== undefined;
}

/**
 * Makes a cluster in a temporary folder with the local binaries, listening on 127.0.0.1 on a free port, tuned
 * for speed (no fsync), with an empty `database` created. Under root the server runs as the `postgres` system
 * user (initdb and postgres refuse root), who must own the folder.
 */
export async function startPostgresServer(database: string): Promise<PostgresServer> {
  const binDir = findBinDir();
  if (binDir === undefined) throw new Error(INSTALL_HINT);

  const root = mkdtempSync(join(tmpdir(), 'playbook-postgres-'));
  const asUser = process.getuid?.() === 0 ? serverUser() : undefined;
  if (asUser !== undefined) chownSync(root, asUser.uid, asUser.gid);
  const run = (tool: string, args: string[]): void => {
    const command = join(binDir, tool);
    const [file, argv] =
      asUser === undefined
        ? [command, args]
        : ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args]];
    const result = spawnSync(file, argv, { cwd: root, encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(
        `${tool} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`,
      );
    }
  };

  const data = join(root, 'data');
  const log = join(root, 'server.log');
  let running = false;
  const stop = (mode: 'fast' | 'immediate' = 'immediate'): void => {
    if (!running) return;
    running = false;
    run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  };
  const remove = (): void => {
    try {
      stop();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--no-locale']);
    const port = await freePort();
    const serverOptions = [
      `-p ${port}`,
      "-c listen_addresses='127.0.0.1'",
      `-c unix_socket_directories='${root}'`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    try {
      run('pg_ctl', ['-D', data, '-l', log, '-o', serverOptions, '-w', '-t', '30', 'start']);
    } catch (error) {
      const serverLog = existsSync(log) ? readFileSync(log, 'utf8') : '';
      throw new Error(`${(error as Error).message}\n${serverLog}`);
    }
    running = true;
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${database}`);
    } finally {
      await admin.end();
    }
    return { url: `postgres://postgres@127.0.0.1:${port}/${database}`, stop, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/** A folder holding initdb, pg_ctl and postgres, the newest version first. */
function findBinDir(): string | undefined {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // No pg_config: look elsewhere.
  }
  for (const base of ['/usr/lib/postgresql', '/usr/local/lib/postgresql']) {
    if (!existsSync(base)) continue;
    const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a) || b.localeCompare(a));
    for (const version of versions) candidates.push(join(base, version, 'bin'));
  }
  candidates.push(...(process.env.PATH ?? '').split(':').filter((dir) => dir !== ''));
  return candidates.find((dir) =>
    ['initdb', 'pg_ctl', 'postgres'].every((tool) => existsSync(join(dir, tool))),
  );
}

/** The `postgres` system user, created when missing (as the Debian package would). */
function serverUser(): { uid: number; gid: number } {
  const lookup = (): { uid: number; gid: number } | undefined => {
    const result = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (result.status !== 0) return undefined;
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim();
    return { uid: Number(result.stdout.trim()), gid: Number(gid) };
  };
  const existing = lookup();
  if (existing !== undefined) return existing;
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
  const created = lookup();
  if (created === undefined)
    throw new Error('could not create the postgres system user to run the test server');
  return created;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
