import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultSandbox, removeSandboxes } from './faults/support.js';
import { ensureBuilt, runCli, type Sandbox } from './fixtures-run/e2e.js';

// An HTML report is read in a browser: this opens one in a real headless Chromium (the system's package, see
// scripts/install-chromium.sh) and checks what a reader sees — the DAG and the timeline — and that the page
// logs no error and asks the network for nothing.

const CHROMIUM = [process.env.PLAYBOOK_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (path): path is string => path !== undefined && path !== '' && existsSync(path),
);
// CI installs Chromium (.ci/run): there the test must run. A developer without it is told how to get it.
const skip = CHROMIUM === undefined && process.env.CI === undefined;
if (skip)
  console.warn(
    'report-browser: no Chromium; `apt-get install chromium` (or set PLAYBOOK_CHROMIUM) to run it',
  );

const NODES = `
[diagnose]
type = "Command"
name = "Diagnose <script>alert(1)</script>"
command_name = "echo 'load average high'; echo 'disk 91%' >&2"

[failover]
type = "Command"
name = "Fail over </svg>"
command_name = "test -f once && echo 'switched to replica' && exit 0; touch once; echo 'replica not ready'; exit 2"
depends_on = ["diagnose"]
critical = true

[notify]
type = "Command"
command_name = "echo 'told #ops'"
depends_on = ["failover"]
`;

describe.skipIf(skip)('an HTML report in headless Chromium', () => {
  let box: Sandbox;
  let file: string;
  beforeAll(async () => {
    ensureBuilt();
    box = await faultSandbox();
    file = await box.runbook('failover', 'Database failover', NODES);
    const run = await runCli(box, ['run', file, '--non-interactive', '--retries', '1']);
    expect(run.code, run.stderr).toBe(0);
    const report = await runCli(box, [
      'report',
      'Database failover',
      '--format',
      'html',
      '-o',
      'report.html',
      '--runbook',
      file,
    ]);
    expect(report.code, report.stderr).toBe(0);
  }, 180_000);
  afterAll(removeSandboxes);

  it('shows the DAG and the timeline, with no console error and no network request', async () => {
    expect(CHROMIUM, 'Chromium is not installed').toBeDefined();
    const browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      const url = pathToFileURL(box.path('report.html')).href;
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning')
          problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('request', (request) => {
        if (request.url() !== url) requests.push(request.url());
      });
      await page.goto(url, { waitUntil: 'load' });

      const dag = page.locator('.dag svg');
      await expect.poll(() => dag.isVisible()).toBe(true);
      const box1 = await dag.boundingBox();
      expect(box1!.width).toBeGreaterThan(200);
      expect(await dag.locator('g.node text').allTextContents()).toEqual(
        expect.arrayContaining(['Diagnose <script>alert(1)</script>', 'Fail over </svg>', 'notify']),
      );
      const attempts = page.locator('ol.timeline > li');
      expect(await attempts.count()).toBe(4);
      expect(await attempts.nth(1).isVisible()).toBe(true);
      expect(await attempts.nth(1).textContent()).toContain('replica not ready');
      expect(await page.locator('h1').textContent()).toBe('Database failover');
      expect(await page.locator('script').count()).toBe(0);

      const shot = process.env.PLAYBOOK_REPORT_SCREENSHOT ?? box.path('report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(existsSync(shot)).toBe(true);
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
