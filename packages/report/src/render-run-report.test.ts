import { buildRunbook, commandNode, manualNode } from '@playbook/engine/testing';

import { describe, expect, it } from 'vitest';
import { runState } from '../test/builders.js';
import { buildRunReport } from './build-run-report.js';
import { renderRunReport } from './render-run-report.js';
import { runReportErrors } from './report-schema.js';

const HOSTILE = 'x</svg><script>alert(1)</script>\x1b]0;pwned\x07\u202e&"\'';

function hostileSource() {
  const runbook = buildRunbook(
    [
      commandNode('build', `echo '${HOSTILE}'`, { name: `Build ${HOSTILE}`, critical: true }),
      manualNode('check', { name: 'Check', dependsOn: ['build'], prompt: `Look ${HOSTILE}` }),
    ],
    { meta: { title: `Deploy ${HOSTILE}`, description: HOSTILE } },
  );
  const state = runState(runbook.meta.title, [
    { nodeId: 'build', attempt: 1, status: 'nok', exitCode: 3, stdout: `${HOSTILE}\n`, stderr: 'boom\n' },
    { nodeId: 'build', attempt: 2, status: 'ok', exitCode: 0, stdout: 'fine\n', operatorDecision: 'retry' },
    { nodeId: 'check', attempt: 1, status: 'nok', operatorDecision: 'nok', resultText: `note ${HOSTILE}` },
  ]);
  return {
    state,
    runbook,
    inputs: [
      { name: 'region', value: `eu ${HOSTILE}`, secret: false },
      { name: 'token', value: 's3cr3t-value', secret: true },
    ],
    startedBy: `alice ${HOSTILE}`,
    attemptDetails: [{ nodeId: 'check', attempt: 1, operator: `bob ${HOSTILE}` }],
    approvals: [
      {
        nodeId: 'check',
        operator: `carol ${HOSTILE}`,
        decision: 'approved' as const,
        note: HOSTILE,
        time: null,
      },
    ],
    auditHeadHash: 'cd'.repeat(32),
  };
}

describe('renderRunReport html', () => {
  it('escapes every text from the runbook and the history, and holds no script or outside reference', async () => {
    const html = await renderRunReport(hostileSource(), 'html');
    expect(html).not.toContain('<script');
    expect(html.match(/<\/svg>/g)).toHaveLength(1);
    expect(html).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e]/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('␛]0;pwned␇');
    expect(html).not.toMatch(/(?:src|href)=|url\(|@import|https?:/i);
    expect(html).toContain(`default-src 'none'`);
    expect(html).not.toContain('s3cr3t-value');
    expect(html).toContain('<code>***</code>');
    expect(html).toContain('cd'.repeat(32));
    expect(html).toContain('ab'.repeat(32));
  });

  it('draws the DAG as inline SVG, nodes coloured by status', async () => {
    const html = await renderRunReport(hostileSource(), 'html');
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    expect(svg).toContain('fill="palegreen"'); // build: ok on its second attempt
    expect(svg).toContain('fill="salmon"'); // check: nok
    expect(svg).not.toContain('<!--');
    expect(html).not.toContain('<?xml');
  });
});

describe('renderRunReport md', () => {
  it('keeps hostile text from becoming markup or closing a code block', async () => {
    const source = hostileSource();
    const md = await renderRunReport(
      {
        ...source,
        state: runState('w', [{ nodeId: 'build', stdout: 'a\n```\n<script>x</script>\n````\nb\n' }]),
      },
      'md',
    );
    expect(md).toContain('`````text\na\n```\n<script>x</script>\n````\nb\n`````');
    const full = await renderRunReport(source, 'md');
    const outsideCode = full.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '');
    expect(outsideCode).not.toContain('<script');
    expect(outsideCode).toContain('&lt;script&gt;');
    expect(full).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/);
    expect(full).not.toContain('s3cr3t-value');
  });
});

describe('renderRunReport json', () => {
  it('follows RunReportSchema and masks secret inputs', async () => {
    const json = JSON.parse(
      await renderRunReport(hostileSource(), 'json', { generatedAt: '2026-01-03T00:00:00Z' }),
    );
    expect(runReportErrors(json)).toEqual([]);
    expect(json.inputs).toContainEqual({ name: 'token', value: '***', secret: true });
    expect(json.timeline.map((a: { nodeId: string; attempt: number }) => `${a.nodeId}#${a.attempt}`)).toEqual(
      ['build#1', 'build#2', 'check#1'],
    );
    expect(json.timeline[2].operator).toContain('bob');
    expect(json.nodes.map((n: { status: string }) => n.status)).toEqual(['ok', 'nok']);
  });
});

describe('buildRunReport bounds', () => {
  it('keeps a run with 100 MB of output and 5000 attempts to a bounded size', async () => {
    const big = `${'y'.repeat(99)}\n`.repeat(1_000_000); // 100 MB
    const attempts = Array.from({ length: 5000 }, (_, i) => ({
      nodeId: 'n',
      attempt: i + 1,
      stdout: i === 0 ? big : 'small\n',
      stderr: i === 0 ? big : null,
      resultText: i === 1 ? big : null,
    }));
    const source = { state: runState('w', attempts) };
    const report = buildRunReport(source);
    expect(report.timeline).toHaveLength(1000);
    expect(report.omittedAttempts).toBe(4000);
    expect(report.timeline[0]!.stdout.text.length).toBeLessThanOrEqual(4000);
    expect(report.timeline[0]!.stdout.omittedChars).toBe(big.length - report.timeline[0]!.stdout.text.length);
    for (const format of ['md', 'html', 'json'] as const) {
      const text = await renderRunReport(source, format);
      expect(text.length, format).toBeLessThan(2_000_000);
    }
  });

  it('a tail is the last 40 lines', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const report = buildRunReport({ state: runState('w', [{ stdout: `${text}\n` }]) });
    expect(report.timeline[0]!.stdout.text).toBe(`${text.split('\n').slice(60).join('\n')}\n`);
  });
});

describe('buildRunReport identities', () => {
  it('takes who started the run and who ran each attempt from the history when the caller gives none', () => {
    const runbook = buildRunbook([commandNode('build', 'make')]);
    const base = runState(runbook.meta.title, [{ nodeId: 'build', attempt: 1, status: 'ok', exitCode: 0 }]);
    const by = { operator: 'alice', osUser: 'ops@web-1', dbUser: null };
    const state = {
      ...base,
      run: { ...base.run, startedBy: by },
      attempts: base.attempts.map((attempt) => ({ ...attempt, by })),
    };
    const report = buildRunReport({ state, runbook });
    expect(report.run.startedBy).toBe('alice (ops@web-1)');
    expect(report.timeline[0]?.operator).toBe('alice (ops@web-1)');
  });
});
