import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { runReportErrors } from '@playbook/report';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultSandbox, removeSandboxes } from './faults/support.js';
import { binPath, ensureBuilt, runCli, type Sandbox } from './fixtures-run/e2e.js';

// SPEC §10.3: `logs` and `report` read a run back. Titles, names and output with markup and control characters
// must come out as text (HTML-escaped in a report, shown on a terminal), and a run that printed 100 MB must
// still give a small report.

/** What a terminal acts on instead of showing: C0 (but tab and line feed), DEL, C1, bidi controls. */
const RAW_CONTROL = /[\0-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const TITLE = 'Incident <script>alert(1)</script> </svg>';
/** printf text: markup, an ESC sequence that would clear the screen, BEL, a bidi override. */
const PRINTED = String.raw`<script>alert(2)</script></svg>\033[2J\007\342\200\256`;

const NODES = `
[build]
type = "Command"
name = "Build </svg><script>alert(3)</script>"
command_name = '''printf 'out one\\n'; sleep 0.3; printf 'err one\\n' >&2; sleep 0.3; printf '${PRINTED}\\n'; printf 'out two\\n''''

[flaky]
type = "Command"
command_name = "test -f flaky-ran && echo second-try && exit 0; touch flaky-ran; echo first-try; exit 4"
depends_on = ["build"]
`;

async function incident(): Promise<{ box: Sandbox; file: string }> {
  const box = await faultSandbox();
  const file = await box.runbook('incident', TITLE, NODES);
  const run = await runCli(box, ['run', file, '--non-interactive', '--retries', '1']);
  expect(run.code, run.stderr).toBe(0);
  return { box, file };
}

function expectNothingRaw(text: string, what: string): void {
  const found = RAW_CONTROL.exec(text);
  expect(
    found,
    `${what}: raw control near ${JSON.stringify(text.slice((found?.index ?? 0) - 40, (found?.index ?? 0) + 10))}`,
  ).toBeNull();
}

describe('playbook logs (built binary)', () => {
  let box: Sandbox;
  beforeAll(async () => {
    ensureBuilt();
    ({ box } = await incident());
  }, 180_000);
  afterAll(removeSandboxes);

  it("prints the newest run, each node's latest attempt, stdout and stderr in arrival order, controls shown", async () => {
    const logs = await runCli(box, ['logs', TITLE]);
    expect(logs.code, logs.stderr).toBe(0);
    expectNothingRaw(logs.stdout, 'logs');
    expect(logs.stdout).toBe(
      [
        '== build · attempt 1 · ok ==',
        'out one',
        'err one',
        '<script>alert(2)</script></svg>␛[2J␇\\u202e',
        'out two',
        '== flaky · attempt 2 · ok ==',
        'second-try',
        '',
      ].join('\n'),
    );
  });

  it('--node and --attempt pick one attempt; --timestamps starts each line with its time and stream', async () => {
    const logs = await runCli(box, ['logs', TITLE, '--node', 'flaky', '--attempt', '1', '--timestamps']);
    expect(logs.code, logs.stderr).toBe(0);
    const lines = logs.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('== flaky · attempt 1 · nok ==');
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z stdout first-try$/);

    // Each line has the time it arrived: the 0.3 s pauses of `build` show between its lines.
    const build = await runCli(box, ['logs', TITLE, '--node', 'build', '--timestamps']);
    const timed = build.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line) => line.split(' '));
    expect(timed.map(([, stream]) => stream)).toEqual(['stdout', 'stderr', 'stdout', 'stdout']);
    const ms = timed.map(([time]) => Date.parse(time ?? ''));
    expect(ms[1]! - ms[0]!).toBeGreaterThanOrEqual(250);
    expect(ms[2]! - ms[1]!).toBeGreaterThanOrEqual(250);
  });

  it('bad input: one line naming what is wrong, exit 1 or 2', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['logs', 'Nope'], 1, /no runs of workflow "Nope".*known workflows: "Incident/],
      [['logs', TITLE, '--run-id', '7'], 1, /has no run 7 \(its runs: 1\)/],
      [['logs', TITLE, '--node', 'nope'], 1, /has no node "nope" \(its nodes: build, flaky\)/],
      // It said `node "build" has an attempt 5`: the opposite of the truth.
      [
        ['logs', TITLE, '--node', 'build', '--attempt', '5'],
        1,
        /^error: run 1 of "Incident[^"]*": node "build" has no attempt 5 \(its attempts: 1\)$/,
      ],
      [['logs', TITLE, '--attempt', '5'], 1, /: no step has an attempt 5 \(attempts: 1, 2\)$/],
      [['logs', TITLE, '--attempt', 'x'], 2, /--attempt must be a positive integer/],
    ];
    for (const [args, code, message] of cases) {
      const result = await runCli(box, args);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr.split('\n')[0], args.join(' ')).toMatch(message);
      expect(result.stderr, args.join(' ')).not.toContain('    at ');
    }
  });
});

describe('playbook report (built binary)', () => {
  let box: Sandbox;
  let file: string;
  beforeAll(async () => {
    ensureBuilt();
    ({ box, file } = await incident());
  }, 180_000);
  afterAll(removeSandboxes);

  it('html: one self-contained page, every text escaped, the DAG inline', async () => {
    const result = await runCli(box, [
      'report',
      TITLE,
      '--format',
      'html',
      '--output',
      'r.html',
      '--runbook',
      file,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const html = box.read('r.html');
    expectNothingRaw(html, 'html');
    expect(html).not.toContain('<script');
    expect(html.match(/<\/svg>/g)).toHaveLength(1);
    expect(html).not.toMatch(/(?:src|href)=|url\(|@import|:\/\//i);
    expect(html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;&lt;/svg&gt;␛[2J␇');
    expect(html).toContain('Build &lt;/svg&gt;&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(html).toMatch(/<svg[^>]*>[\s\S]*fill="palegreen"[\s\S]*<\/svg>/);
    expect(html).toContain('0.1.0'); // the version, from --runbook
  });

  it('md and json: the same run, json valid against RunReportSchema; stdout without --output', async () => {
    const md = await runCli(box, ['report', TITLE, '--format', 'md']);
    expect(md.code, md.stderr).toBe(0);
    expectNothingRaw(md.stdout, 'md');
    expect(md.stdout).toContain('# Incident &lt;script&gt;alert(1)&lt;/script&gt; &lt;/svg&gt; · run 1');
    expect(md.stdout).toContain('decision auto-retry · exit code 4');
    const json = await runCli(box, ['report', TITLE, '--format', 'json', '--run-id', '1']);
    expect(json.code, json.stderr).toBe(0);
    expectNothingRaw(json.stdout, 'json');
    const report = JSON.parse(json.stdout);
    expect(runReportErrors(report)).toEqual([]);
    expect(
      report.timeline.map((a: { nodeId: string; attempt: number; exitCode: number }) => [
        a.nodeId,
        a.attempt,
        a.exitCode,
      ]),
    ).toEqual([
      ['build', 1, 0],
      ['flaky', 1, 4],
      ['flaky', 2, 0],
    ]);
    expect(report.timeline[0].stdout.text).toContain('<script>alert(2)</script></svg>\x1b[2J');
    expect(
      report.timeline[0].lines.map((line: { stream: string; text: string }) => [
        line.stream,
        line.text.slice(0, 7),
      ]),
    ).toEqual([
      ['stdout', 'out one'],
      ['stderr', 'err one'],
      ['stdout', '<script'],
      ['stdout', 'out two'],
    ]);
  });

  it('--output into a folder that does not exist: one line, exit 1, nothing written', async () => {
    const result = await runCli(box, ['report', TITLE, '--format', 'html', '--output', 'missing/r.html']);
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^error: cannot write missing\/r\.html: folder .*missing does not exist$/),
    ]);
    expect(existsSync(box.path('missing'))).toBe(false);
  });

  it('bad input: an unknown format, a runbook of another workflow, an unknown workflow', async () => {
    const format = await runCli(box, ['report', TITLE, '--format', 'pdf', '--output', 'r.pdf']);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--format must be one of md, html, json, got "pdf"/);
    expect(box.exists('r.pdf')).toBe(false);
    const other = await box.runbook('other', 'Other', '[a]\ntype = "Command"\ncommand_name = "true"');
    const wrong = await runCli(box, ['report', TITLE, '--format', 'md', '--runbook', other]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/is the runbook of workflow "Other", not "Incident/);
    const unknown = await runCli(box, ['report', 'Nope', '--format', 'md', '--output', 'n.md']);
    expect(unknown.code).toBe(1);
    expect(box.exists('n.md')).toBe(false);
  });
});

describe('a run that printed 100 MB (built binary)', () => {
  let box: Sandbox;
  const title = 'Loud';
  beforeAll(async () => {
    ensureBuilt();
    box = await faultSandbox();
    const file = await box.runbook(
      'loud',
      title,
      `[loud]\ntype = "Command"\ncommand_name = "yes 'a line of captured output, again and again' | head -c 100000000; yes 'on stderr' | head -c 1000000 >&2"`,
    );
    // The live stream of 100 MB goes to /dev/null, not into this test's memory.
    const run = spawnSync(
      process.execPath,
      [binPath, 'run', file, '--non-interactive', '--state-path', box.statePath],
      {
        cwd: box.dir,
        env: { ...process.env, NO_COLOR: '1', CI: '', XDG_CONFIG_HOME: box.path('config') },
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 120_000,
      },
    );
    expect(run.status, run.stderr?.toString()).toBe(0);
  }, 180_000);
  afterAll(removeSandboxes);

  it('report stays small in every format; logs shows the kept head and tail with the dropped count', async () => {
    for (const format of ['html', 'md', 'json']) {
      const result = await runCli(box, ['report', title, '--format', format, '--output', `r.${format}`]);
      expect(result.code, result.stderr).toBe(0);
      expect(statSync(box.path(`r.${format}`)).size, format).toBeLessThan(100_000);
    }
    const logs = await runCli(box, ['logs', title], { timeoutMs: 60_000 });
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout.length).toBeLessThan(3 * 1024 * 1024);
    expect(logs.stdout).toMatch(/dropped/);
    expect(readFileSync(box.path('r.md'), 'utf8')).toMatch(/output \(last lines, in order/);
  }, 120_000);
});

describe('report without --runbook (built binary)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(removeSandboxes);

  it('takes the runbook the run started with from the history, the inputs, what each attempt ran and the audit head that verify prints', async () => {
    const box = await faultSandbox();
    const file = await box.runbook(
      'ticket',
      'Ticket',
      `
[runbook.inputs.env]
type = "string"

[runbook.inputs.token]
type = "string"
secret = true

[deploy]
type = "Command"
command_name = "echo deploying \${{ inputs.env }}"
critical = true

[notify]
type = "Command"
command_name = "echo done"
depends_on = ["deploy"]
`,
    );
    const run = await runCli(box, [
      'run',
      file,
      '--non-interactive',
      '--var',
      'env=prod',
      '--var',
      'token=hunter-22-secret',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const verify = await runCli(box, ['verify', 'Ticket']);
    const head = /head ([0-9a-f]{64})/.exec(verify.stdout)?.[1];
    expect(head).toBeDefined();
    const json = await runCli(box, ['report', 'Ticket', '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).not.toContain('hunter-22-secret');
    const report = JSON.parse(json.stdout);
    expect(runReportErrors(report)).toEqual([]);
    expect(report.runbook).toMatchObject({ title: 'Ticket', version: '0.1.0' });
    expect(report.auditHeadHash).toBe(head);
    expect(report.inputs).toEqual([
      { name: 'env', value: 'prod', secret: false },
      { name: 'token', value: '***', secret: true },
    ]);
    expect(
      report.nodes.map((node: { id: string; dependsOn: string[] }) => [node.id, node.dependsOn]),
    ).toEqual([
      ['deploy', []],
      ['notify', ['deploy']],
    ]);
    // What ran, as the attempt recorded it: the template rendered (shell-quoted).
    expect(report.timeline[0].ran).toBe(`echo deploying 'prod' (in ${box.dir})`);
  });
});
