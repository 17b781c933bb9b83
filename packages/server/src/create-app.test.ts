import { buildRunbook, commandNode, InMemoryRunRepository } from '@playbook/engine/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { addRun } from '../test/history-builder.js';
import { createApp } from './create-app.js';
import { CONTENT_SECURITY_POLICY } from './security-headers.js';

const TOKEN = 'test-token-0123456789';
const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };

let history: InMemoryRunRepository;
let app: ReturnType<typeof createApp>;

beforeEach(async () => {
  history = new InMemoryRunRepository();
  app = createApp({ history, token: TOKEN });
  await addRun(
    history,
    'Deploy',
    ['build', 'test', 'ship'],
    [
      { node: 'build', status: 'ok', stdout: 'built\n' },
      { node: 'test', status: 'nok', stderr: 'boom\n' },
    ],
    'nok',
  );
  await addRun(history, 'Deploy', ['build', 'test', 'ship'], [{ node: 'build', status: 'ok' }], 'running', {
    env: 'prod',
    password: null,
  });
  await addRun(history, 'Backup', ['dump'], [{ node: 'dump', status: 'ok' }], 'ok');
});

describe('access', () => {
  it('answers 401 without a token and 403 with a wrong one, and says nothing of the history', async () => {
    const none = await app.request('/');
    expect(none.status).toBe(401);
    const wrong = await app.request('/?token=nope');
    expect(wrong.status).toBe(403);
    const wrongBearer = await app.request('/', { headers: { Authorization: 'Bearer nope' } });
    expect(wrongBearer.status).toBe(403);
    for (const response of [none, wrong, wrongBearer]) expect(await response.text()).not.toContain('Deploy');
  });

  it('moves the token from the address into a cookie that then opens every page', async () => {
    const first = await app.request('/workflows/Deploy?token=' + TOKEN + '&status=ok');
    expect(first.status).toBe(303);
    expect(first.headers.get('Location')).toBe('/workflows/Deploy?status=ok');
    const cookie = first.headers.get('Set-Cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const next = await app.request('/workflows/Deploy', { headers: { Cookie: cookie.split(';')[0]! } });
    expect(next.status).toBe(200);
    expect(await next.text()).toContain('Deploy');
  });

  it('refuses every method but GET and HEAD: the server never writes', async () => {
    const response = await app.request('/', { method: 'POST', ...auth });
    expect(response.status).toBe(405);
  });

  it('sends a strict Content-Security-Policy and no referrer on every answer, denied ones too', async () => {
    for (const response of [await app.request('/', auth), await app.request('/')]) {
      expect(response.headers.get('Content-Security-Policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
  });
});

describe('pages', () => {
  it('lists the workflows with their runs counted by status', async () => {
    const page = await (await app.request('/', auth)).text();
    expect(page).toMatch(/<tr data-workflow="Backup">[\s\S]*<tr data-workflow="Deploy">/);
    expect(page).toContain('href="/workflows/Deploy?status=nok">1</a>');
    expect(page).toContain('href="/workflows/Deploy/runs/2">run 2</a>');
  });

  it("lists a workflow's runs newest first, filtered by status", async () => {
    const all = await (await app.request('/workflows/Deploy', auth)).text();
    expect(all.indexOf('data-run="2"')).toBeLessThan(all.indexOf('data-run="1"'));
    const nok = await (await app.request('/workflows/Deploy?status=nok', auth)).text();
    expect(nok).toContain('data-run="1"');
    expect(nok).not.toContain('data-run="2"');
  });

  it("shows a run's graph coloured by status, its nodes, attempts, inputs (secrets ***) and output", async () => {
    const run1 = await (await app.request('/workflows/Deploy/runs/1', auth)).text();
    expect(run1).toContain('<svg');
    expect(run1).toContain('fill="salmon"'); // test ended nok
    expect(run1).toContain('fill="palegreen"'); // build ended ok
    expect(run1).toMatch(/<tr data-node="ship">.*status-pending/);
    expect(run1).toContain('data-attempt="test#1"');
    expect(run1).toContain('boom');
    // Who started the run and who ran each attempt (SPEC §10.1).
    expect(run1).toContain('<dt>Started by</dt><dd>alice (ops@test-host)</dd>');
    expect(run1).toMatch(/data-attempt="test#1"[\s\S]*<dt>By<\/dt><dd>alice \(ops@test-host\)<\/dd>/);
    const run2 = await (await app.request('/workflows/Deploy/runs/2', auth)).text();
    expect(run2).toMatch(/<th scope="row">password<\/th><td><span class="secret">\*\*\*<\/span>/);
    expect(run2).toContain('<code>prod</code>');
  });

  it('shows a run waiting at an approval gate, and its decisions: who, when, the note (escaped)', async () => {
    const run = await addRun(
      history,
      'Release',
      ['build', 'gate'],
      [{ node: 'build', status: 'ok' }],
      'waiting',
    );
    const by = { operator: 'bob', osUser: 'bob@laptop' };
    await history.recordApproval({
      workflowName: 'Release',
      runId: run.runId,
      nodeId: 'gate',
      round: 1,
      who: 'bob',
      decision: 'approve',
      at: '2025-05-03T13:00:00.000Z',
      note: 'CHG-42 <reviewed>',
      by,
      runbookHash: 'a'.repeat(64),
      inputsSha256: null,
      min: 2,
      countsIfRejected: { ok: 1, nok: 1, skipped: 0 },
      session: {
        kind: 'approve',
        at: '2025-05-03T13:00:00.000Z',
        by,
        flags: [],
        runbookHash: 'a'.repeat(64),
      },
    });
    const page = await (await app.request('/workflows/Release/runs/1', auth)).text();
    expect(page).toMatch(/<dd class="run-status">[^<]*<span class="status status-waiting"/);
    expect(page).toContain('<h2>Approvals</h2>');
    expect(page).toMatch(/<td>approved<\/td><td>bob \(bob@laptop\)<\/td>.*<td>CHG-42 &lt;reviewed&gt;<\/td>/);
  });

  it('draws the edges of a workflow whose runbook it was given, and says where edges are missing', async () => {
    const bare = await (await app.request('/workflows/Deploy/runs/1', auth)).text();
    expect(bare).not.toContain('class="edge"');
    expect(bare).toContain('the history keeps no edges');
    const runbook = buildRunbook(
      [
        commandNode('build', 'make'),
        commandNode('test', 'make test', { dependsOn: ['build'] }),
        commandNode('ship', 'make ship', { dependsOn: ['test'] }),
      ],
      { meta: { title: 'Deploy' }, source: { hash: 'b'.repeat(64) } },
    );
    const drawn = createApp({ history, token: TOKEN, runbooks: [runbook] });
    const page = await (await drawn.request('/workflows/Deploy/runs/1', auth)).text();
    expect(page.match(/class="edge"/g)).toHaveLength(2);
    expect(page).toContain('this run started with another version of it');
  });

  it('keeps the page of a huge run bounded: no graph past 300 nodes, the first and last 500 nodes and attempts', async () => {
    const ids = Array.from({ length: 2000 }, (_, index) => `n${index}`);
    await addRun(
      history,
      'Huge',
      ids,
      ids.map((node) => ({ node, status: 'ok' as const })),
      'ok',
    );
    const page = await (await app.request('/workflows/Huge/runs/1', auth)).text();
    expect(page).not.toContain('<svg');
    expect(page).toContain('2000 nodes are too many to lay out in a page');
    expect(page.match(/<tr data-node=/g)).toHaveLength(1000);
    expect(page.match(/<li class="attempt"/g)).toHaveLength(1000);
    expect(page).toContain('… 1000 nodes not shown …');
    expect(page).toContain('… 1000 attempts not shown');
    expect(page).toContain('data-node="n499"');
    expect(page).not.toContain('data-node="n500"');
    expect(page).toContain('data-node="n1999"');
  });

  it("shows an attempt's output lines in the order they arrived, with their times, stderr marked", async () => {
    await addRun(
      history,
      'Ordered',
      ['x'],
      [
        {
          node: 'x',
          status: 'ok',
          stdout: 'one\nthree\n',
          stderr: 'two\n',
          lines: [
            ['stdout', 'one'],
            ['stderr', 'two <b>'],
            ['stdout', 'three'],
          ],
        },
      ],
      'ok',
    );
    const page = await (await app.request('/workflows/Ordered/runs/1', auth)).text();
    expect(page).toContain('<summary>output <span class="count">3 lines</span></summary>');
    expect(page).toMatch(
      /12:30:00\.125<\/span> one\n.*12:30:01\.125<\/span> <span class="stderr">two &lt;b&gt;<\/span>\n.*three/s,
    );
    expect(page).not.toContain('<summary>stdout');
  });

  it("links a run's report, served as HTML under its own policy (its style by hash, no script), Markdown and JSON", async () => {
    const page = await (await app.request('/workflows/Deploy/runs/1', auth)).text();
    expect(page).toContain('href="/workflows/Deploy/runs/1/report"');
    const report = await app.request('/workflows/Deploy/runs/1/report', auth);
    expect(report.status).toBe(200);
    const policy = report.headers.get('Content-Security-Policy') ?? '';
    expect(policy).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('script-src');
    const html = await report.text();
    expect(html).toContain('<svg');
    expect(html).not.toContain('<script');
    const json = await app.request('/workflows/Deploy/runs/1/report?format=json', auth);
    expect(JSON.parse(await json.text())).toMatchObject({ workflow: 'Deploy', runId: 1 });
    const md = await app.request('/workflows/Deploy/runs/1/report?format=md', auth);
    expect(md.headers.get('Content-Type')).toMatch(/^text\/plain/);
    expect((await app.request('/workflows/Deploy/runs/1/report?format=pdf', auth)).status).toBe(400);
    expect((await app.request('/workflows/Deploy/runs/7/report', auth)).status).toBe(404);
    expect((await app.request('/workflows/Deploy/runs/1/report')).status).toBe(401);
  });

  it('answers 404 for a workflow or run the history does not have', async () => {
    expect((await app.request('/workflows/Nope', auth)).status).toBe(404);
    expect((await app.request('/workflows/Deploy/runs/9', auth)).status).toBe(404);
    expect((await app.request('/elsewhere', auth)).status).toBe(404);
  });

  it('escapes every text from the history: a workflow named <script> is shown, never run', async () => {
    const hostile = '<script>alert(1)</script>\u001b[2J\u202e';
    await addRun(
      history,
      hostile,
      ['x'],
      [{ node: 'x', status: 'ok', stdout: '<img src=x onerror=alert(1)>\u0007' }],
      'ok',
    );
    const home = await (await app.request('/', auth)).text();
    expect(home).not.toContain('<script>alert');
    expect(home).toContain('&lt;script&gt;alert(1)&lt;/script&gt;␛[2J\\u202e');
    const path = `/workflows/${encodeURIComponent(hostile)}/runs/1`;
    const run = await (await app.request(path, auth)).text();
    expect(run).not.toContain('<script>alert');
    expect(run).not.toContain('<img');
    expect(run).toContain('&lt;img src=x onerror=alert(1)&gt;␇');
  });

  it('names no address outside the server: no external resources', async () => {
    const run = await (await app.request('/workflows/Deploy/runs/1', auth)).text();
    expect(run).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(run).not.toContain('http://');
    expect(run).not.toMatch(/<script>|<style>| style="| on[a-z]+="/);
  });

  it('serves its own style and script', async () => {
    const css = await app.request('/assets/serve.css', auth);
    expect(css.headers.get('Content-Type')).toMatch(/text\/css/);
    const script = await app.request('/assets/live.js', auth);
    expect(await script.text()).toContain('EventSource');
  });
});
