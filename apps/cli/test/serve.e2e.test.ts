// `playbook serve` end to end over plain HTTP(S): the built binary on a real state file, requests with fetch, a
// real `playbook run` in another process. The browser's view of the same is serve-browser.e2e.test.ts.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeSandbox, runCli, type Sandbox, startCli, waitFor } from './fixtures-run/e2e.js';
import { seedEveryStatus, startServe, stopAllServers } from './fixtures-run/serve.js';

beforeAll(() => ensureBuilt(), 180_000);
afterEach(() => stopAllServers());

async function seeded(): Promise<Sandbox> {
  const box = await makeSandbox();
  await seedEveryStatus(box.statePath);
  return box;
}

/** Reads an event stream until `until` matches what arrived, or fails after `timeoutMs`. */
async function readUntil(response: Response, until: RegExp, timeoutMs = 30_000): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const timer = setTimeout(() => void reader.cancel(), timeoutMs);
  try {
    while (!until.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended without ${until}:\n${text}`);
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
  return text;
}

describe('playbook serve', () => {
  it('prints a localhost address with a token; without it 401, with a wrong one 403', async () => {
    const box = await seeded();
    const served = await startServe(box);
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
    expect((await fetch(`${served.origin}/`)).status).toBe(401);
    expect((await fetch(`${served.origin}/workflows/Deploy`)).status).toBe(401);
    expect((await fetch(`${served.origin}/?token=wrong`)).status).toBe(403);
    const first = await fetch(served.url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const home = await fetch(served.origin, { headers: { cookie } });
    expect(home.status).toBe(200);
    expect(home.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await home.text()).toContain('data-workflow="Deploy"');
    expect(await served.stop()).toBe(0);
  });

  it('shows runs in every status, filters them, and a run with its graph, attempts and output', async () => {
    const box = await seeded();
    const served = await startServe(box);
    const get = async (path: string) => {
      const response = await fetch(`${served.origin}${path}`, {
        headers: { authorization: `Bearer ${served.token}` },
      });
      return { status: response.status, text: await response.text() };
    };
    const runs = await get('/workflows/Deploy');
    for (const status of ['ok', 'nok', 'aborted', 'running']) expect(runs.text).toContain(`status-${status}`);
    const nok = await get('/workflows/Deploy?status=nok');
    expect(nok.text).toContain('data-run="2"');
    expect(nok.text).not.toContain('data-run="1"');
    const run = await get('/workflows/Deploy/runs/2');
    expect(run.text).toContain('<svg');
    expect(run.text).toMatch(/<tr data-node="test">.*status-nok/);
    expect(run.text).toContain('data-attempt="test#1"');
    expect(run.text).toContain('tests failed');
    const secret = await get('/workflows/Deploy/runs/5');
    expect(secret.text).toMatch(/password<\/th><td><span class="secret">\*\*\*</);
    expect((await get('/workflows/Deploy/runs/99')).status).toBe(404);
  });

  it("follows a run another process drives: its page's event stream sends the node's new status", async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'live',
      'Live',
      `
[first]
type = "Command"
command_name = "echo first"

[gate]
type = "Command"
command_name = "while [ ! -f go ]; do sleep 0.05; done; echo through"
depends_on = ["first"]
`,
    );
    const run = startCli(box, ['run', file, '--non-interactive'], { stdin: null });
    await waitFor(() => run.stdout().includes('gate'), 'the gate to start');
    const served = await startServe(box, ['--runbook', file]);
    const headers = { authorization: `Bearer ${served.token}` };
    const page = await (await fetch(`${served.origin}/workflows/Live/runs/1`, { headers })).text();
    expect(page).toMatch(/<tr data-node="gate">.*status-running/);
    // The edge first → gate, from the runbook file given.
    expect(page.match(/class="edge"/g)).toHaveLength(1);
    const version = /data-version="([^"]+)"/.exec(page)![1]!;
    const events = await fetch(
      `${served.origin}/events?page=${encodeURIComponent('/workflows/Live/runs/1')}&version=${version}`,
      { headers },
    );
    execFileSync('touch', [box.path('go')]);
    const text = await readUntil(events, /<tr data-node="gate">.*status-ok/);
    expect(text).toContain('event: page');
    expect((await run.done).code).toBe(0);
  });

  it('refuses another address without TLS, half a TLS pair and a bad port: usage errors, nothing served', async () => {
    const box = await seeded();
    const open = await runCli(box, ['serve', '--host', '0.0.0.0']);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('serving on 0.0.0.0 needs --tls-cert and --tls-key');
    const half = await runCli(box, ['serve', '--tls-cert', 'cert.pem']);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--tls-cert and --tls-key go together');
    const port = await runCli(box, ['serve', '--port', 'http']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port must be a number from 0 to 65535, got "http"');
    for (const result of [open, half, port]) expect(result.stdout).toBe('');
  });

  it('says so when there is no history yet, or the port is taken', async () => {
    const box = await makeSandbox();
    const none = await runCli(box, ['serve']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no run history yet');
    await seedEveryStatus(box.statePath);
    const served = await startServe(box);
    const port = new URL(served.origin).port;
    const taken = await runCli(box, ['serve', '--port', port]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
  });

  it('serves HTTPS with --tls-cert and --tls-key, and marks the cookie Secure', async () => {
    const box = await seeded();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        box.path('key.pem'),
        '-out',
        box.path('cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const served = await startServe(box, ['--tls-cert', 'cert.pem', '--tls-key', 'key.pem']);
    expect(served.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const ca = readFileSync(box.path('cert.pem'));
    const answer = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
      request(served.url, { ca }, (response) => {
        response.resume();
        resolve({ status: response.statusCode!, cookie: String(response.headers['set-cookie']) });
      })
        .on('error', reject)
        .end();
    });
    expect(answer.status).toBe(303);
    expect(answer.cookie).toMatch(/; Secure/);
  });

  it('refuses a runbook file with problems, naming them, and two runbooks of one workflow', async () => {
    const box = await seeded();
    const bad = await box.runbook('bad', 'Deploy', '[x]\ntype = "Nope"\n');
    const invalid = await runCli(box, ['serve', '--runbook', bad]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('bad.playbook.toml is not a valid runbook');
    const one = await box.runbook('one', 'Deploy', '[x]\ntype = "Command"\ncommand_name = "true"\n');
    const two = await box.runbook('two', 'Deploy', '[y]\ntype = "Command"\ncommand_name = "true"\n');
    const twice = await runCli(box, ['serve', '--runbook', one, '--runbook', two]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(
      'one.playbook.toml and two.playbook.toml are both the runbook of "Deploy"',
    );
  });

  it('names an unreadable certificate', async () => {
    const box = await seeded();
    const result = await runCli(box, [
      'serve',
      '--port',
      '0',
      '--tls-cert',
      'missing.pem',
      '--tls-key',
      'k.pem',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot read --tls-cert missing.pem (ENOENT)');
  });
});
