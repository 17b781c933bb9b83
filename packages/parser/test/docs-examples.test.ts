import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as cel from '@playbook/expressions/cel';
import { parseRunbook } from '@playbook/parser';
import { describe, expect, it } from 'vitest';

// Every ```toml block of docs/*.md that holds a [runbook] table is a runbook a reader may copy, so it must
// parse. A block meant to show a mistake is preceded by a marker comment:
//   <!-- invalid -->                      it must fail to validate
//   <!-- invalid: CYCLE -->               … and report these problem codes (comma-separated)
//   <!-- warnings: UNKNOWN_KEY -->        it is valid but warns exactly with these codes
// A valid block without a marker must give no warning either.

const docsDir = fileURLToPath(new URL('../../../docs/', import.meta.url));

interface Example {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly marker: { readonly kind: 'invalid' | 'warnings'; readonly codes: readonly string[] } | undefined;
}

function examplesOf(file: string): Example[] {
  const lines = readFileSync(`${docsDir}${file}`, 'utf8').split('\n');
  const examples: Example[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    if (lines[index]?.trim() !== '```toml') continue;
    const start = index;
    const body: string[] = [];
    for (index += 1; index < lines.length && lines[index]?.trim() !== '```'; index += 1) {
      body.push(lines[index] ?? '');
    }
    const text = body.join('\n');
    if (!/^\s*\[runbook\]\s*(#.*)?$/m.test(text)) continue;
    let previous = start - 1;
    while (previous >= 0 && lines[previous]?.trim() === '') previous -= 1;
    const match = /^<!--\s*(invalid|warnings)\s*(?::\s*([A-Z_,\s]+))?-->$/.exec(
      lines[previous]?.trim() ?? '',
    );
    const marker =
      match === null
        ? undefined
        : {
            kind: match[1] as 'invalid' | 'warnings',
            codes: (match[2] ?? '')
              .split(',')
              .map((code) => code.trim())
              .filter((code) => code !== ''),
          };
    examples.push({ file, line: start + 2, text, marker });
  }
  return examples;
}

const files = readdirSync(docsDir)
  .filter((name) => name.endsWith('.md'))
  .sort();
const examples = files.flatMap(examplesOf);

describe('runbook examples in docs/', () => {
  it('finds the examples (the docs do show runbooks)', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
    expect(new Set(examples.map((example) => example.file))).toContain('runbook-format.md');
    expect(examples.some((example) => example.marker?.kind === 'invalid')).toBe(true);
  });

  it.each(examples.map((example) => [`${example.file}:${example.line}`, example] as const))(
    '%s',
    (_, example) => {
      const result = parseRunbook(example.text, `${example.file}:${example.line}`, { cel });
      const problems = result.ok ? result.warnings : result.problems;
      const codes = problems.map((problem) => problem.code);
      const described = problems.map((problem) => `${problem.code}: ${problem.message}`);
      if (example.marker?.kind === 'invalid') {
        expect(result.ok, 'marked invalid, but it validates').toBe(false);
        for (const code of example.marker.codes) expect(codes, described.join('\n')).toContain(code);
      } else {
        expect(result.ok, described.join('\n')).toBe(true);
        expect([...new Set(codes)].sort(), described.join('\n')).toEqual(
          [...(example.marker?.codes ?? [])].sort(),
        );
      }
    },
  );
});
