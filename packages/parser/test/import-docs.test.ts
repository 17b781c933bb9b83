import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as cel from '@playbook/expressions/cel';
import { importPrototypeRunbook } from '@playbook/parser/prototype';
import { describe, expect, it } from 'vitest';

// docs/coming-from-python.md shows a runbook of the Python tool and what `playbook import` makes of it: the
// blocks after `<!-- import: before -->` and `<!-- import: after -->`. The page must show what the code does.

const page = fileURLToPath(new URL('../../../docs/coming-from-python.md', import.meta.url));

function blockAfter(lines: readonly string[], marker: string): string {
  const at = lines.findIndex((line) => line.trim() === marker);
  expect(at, `${marker} in coming-from-python.md`).toBeGreaterThanOrEqual(0);
  const open = lines.findIndex((line, index) => index > at && line.trim() === '```toml');
  const close = lines.findIndex((line, index) => index > open && line.trim() === '```');
  return `${lines.slice(open + 1, close).join('\n')}\n`;
}

describe('docs/coming-from-python.md', () => {
  it('shows exactly what playbook import makes of its example', () => {
    const lines = readFileSync(page, 'utf8').split('\n');
    const before = blockAfter(lines, '<!-- import: before -->');
    const after = blockAfter(lines, '<!-- import: after -->');
    const result = importPrototypeRunbook(before, 'deploy.playbook.toml', { cel });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.text).toBe(after);
  });

  it('shows the runbook that examples/python-prototype.playbook.toml holds', () => {
    const lines = readFileSync(page, 'utf8').split('\n');
    const example = readFileSync(
      new URL('../../../examples/python-prototype.playbook.toml', import.meta.url),
      'utf8',
    );
    expect(example.endsWith(`\n${blockAfter(lines, '<!-- import: before -->')}`)).toBe(true);
  });
});
