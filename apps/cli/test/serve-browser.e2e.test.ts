import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeSandbox, type Sandbox, startCli } from './fixtures-run/e2e.js';
import { type Served, seedEveryStatus, startServe, stopAllServers } from './fixtures-run/serve.js';

// `playbook serve` as its users see it: a real headless Chromium (the system's package, see
// scripts/install-chromium.sh) on the pages of a history with runs in every status, and on a run that another
// process drives while the page is open — its step turns ok on the page without a reload. A workflow titled
// with a <script> runs nothing; no page logs an error or asks anything of another server.

const CHROMIUM = [process.env.PLAYBOOK_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (path): path is string => path !== undefined && path !== '' && existsSync(path),
);
// CI installs Chromium (.ci/run): there the test must run. A developer without it is told how to get it.
const skip = CHROMIUM === undefined && process.env.CI === undefined;
if (skip)
  console.warn('serve-browser: no Chromium; `apt-get install chromium` (or set PLAYBOOK_CHROMIUM) to run it');

/** How long a page may take to show a change: the whole suite runs at once on 2 cores in CI. */
const POLL = { timeout: 30_000 };

const TITLE = 'Live <script>window.pwned = true</script>';
const NODES = `
[prepare]
type = "Command"
name = "Prepare <img src=x onerror=window.pwned=true>"
command_name = "echo '<script>window.pwned = true</script>'"

[gate]
type = "Command"
command_name = "while [ ! -f go ]; do sleep 0.05; done; echo through"
depends_on = ["prepare"]
`;

describe.skipIf(skip)('playbook serve in headless Chromium', () => {
  let box: Sandbox;
  let file: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const elsewhere: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    box = await makeSandbox();
    await seedEveryStatus(box.statePath);
    file = await box.runbook('live', TITLE.replaceAll('"', '\\"'), NODES);
    served = await startServe(box, ['--runbook', file]);
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(served.origin)) elsewhere.push(request.url());
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stopAllServers();
  });

  it('lists the workflows, filters runs by status, and shows a run with its graph and attempts', async () => {
    await page.goto(served.url);
    // The token moved into a cookie: the address bar no longer holds it.
    expect(page.url()).toBe(`${served.origin}/`);
    await page.locator('a', { hasText: /^Deploy$/ }).click();
    await expect.poll(() => page.locator('table.runs tbody tr').count(), POLL).toBe(5);
    await page.locator('.filters a', { hasText: 'nok' }).click();
    await expect.poll(() => page.locator('table.runs tbody tr').count(), POLL).toBe(1);
    await page.locator('table.runs a', { hasText: '2' }).click();
    await page.waitForURL(`${served.origin}/workflows/Deploy/runs/2`);

    const dag = page.locator('.dag svg');
    await expect.poll(() => dag.isVisible(), POLL).toBe(true);
    expect((await dag.boundingBox())!.width).toBeGreaterThan(200);
    expect(await dag.locator('g.node text').allTextContents()).toEqual(
      expect.arrayContaining(['build', 'test', 'ship']),
    );
    expect(await page.locator('li.attempt').count()).toBe(2);
    const failed = page.locator('li.attempt', { hasText: 'test' });
    await failed.locator('summary', { hasText: 'stderr' }).click();
    expect(await failed.locator('pre.stderr').textContent()).toContain('tests failed');
    expect(await page.locator('tr[data-node="ship"] .node-status').textContent()).toBe('pending');
  }, 60_000);

  it('follows a run started in another process: its step turns ok on the open page, without a reload', async () => {
    await page.goto(`${served.origin}/`);
    const run = startCli(box, ['run', file, '--non-interactive'], { stdin: null, timeoutMs: 60_000 });
    try {
      // The new workflow appears on the open home page, then its run's page shows the gate running.
      const link = page.locator('td a', { hasText: TITLE });
      await expect.poll(() => link.count(), POLL).toBe(1);
      await link.click();
      await page.locator('table.runs a', { hasText: '1' }).click();
      const gate = page.locator('tr[data-node="gate"] .node-status');
      await expect.poll(() => gate.textContent(), POLL).toBe('running');
      // Marks this document: a reload would make a new one without the mark.
      await page.evaluate(() => {
        (globalThis as unknown as { kept: boolean }).kept = true;
      });
      await writeFile(box.path('go'), '');
      await expect.poll(() => gate.textContent(), POLL).toBe('ok');
      await expect.poll(() => page.locator('h1 .status').textContent(), POLL).toBe('ok');
      expect(await page.evaluate(() => (globalThis as unknown as { kept?: boolean }).kept)).toBe(true);
      // The graph was redrawn too: the gate's node is filled as ok.
      const gateNode = page
        .locator('.dag g.node', { hasText: 'gate' })
        .locator('polygon, ellipse, path')
        .first();
      expect(await gateNode.getAttribute('fill')).toBe('palegreen');
      expect((await run.done).code).toBe(0);
    } finally {
      // SIGTERM, not SIGKILL: the CLI then stops its step's process group, so no shell is left waiting for `go`.
      if (run.child.exitCode === null) run.child.kill('SIGTERM');
      await run.done.catch(() => {});
    }
  }, 120_000);

  it('shows a <script> title and hostile output as text and runs none of it; no error, nothing from elsewhere', async () => {
    expect(await page.locator('h1').first().textContent()).toContain(TITLE);
    const prepare = page.locator('li.attempt', { hasText: 'prepare' });
    // A real run records both streams' lines in arrival order: one folded log.
    await prepare.locator('summary', { hasText: 'output' }).click();
    expect(await prepare.locator('pre.output').textContent()).toContain(
      '<script>window.pwned = true</script>',
    );
    // The run's report, one click away, under its own policy: styled, no error.
    await page.locator('nav.report-links a', { hasText: 'HTML' }).click();
    await page.waitForURL(/\/runs\/1\/report$/);
    await expect.poll(() => page.locator('.dag svg').isVisible(), POLL).toBe(true);
    expect(await page.locator('h1').textContent()).toBe(TITLE);
    expect(await page.locator('ol.timeline > li').count()).toBe(2);
    // Its inline style sheet applied (a policy that refused it would also log an error, caught below).
    expect(await page.evaluate('getComputedStyle(document.body).maxWidth')).not.toBe('none');
    await page.goto(`${served.origin}/`);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: boolean }).pwned)).toBeUndefined();
    expect(await page.locator('script').count()).toBe(1); // the server's own live.js
    const shot = process.env.PLAYBOOK_SERVE_SCREENSHOT;
    if (shot !== undefined) await page.screenshot({ path: shot, fullPage: true });
    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
  }, 60_000);
});
