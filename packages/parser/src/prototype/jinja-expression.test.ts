import { describe, expect, it } from 'vitest';
import {
  MAX_JINJA_DEPTH,
  MAX_JINJA_TREE_DEPTH,
  parseJinjaExpression,
  UnsupportedJinja,
} from './jinja-expression.js';
import { type CelContext, conditionToCel, UnknownStep, valueToCel } from './jinja-to-cel.js';

const TYPES = { ENV: 'string', SKIP: 'boolean', COUNT: 'integer', RATIO: 'number' } as const;

function context(): CelContext & { reads: string[]; fallbacks: [string, unknown][] } {
  const reads: string[] = [];
  const fallbacks: [string, unknown][] = [];
  return {
    reads,
    fallbacks,
    input: (name) => TYPES[name as keyof typeof TYPES] ?? 'string',
    step: (id) => {
      reads.push(id);
      return id !== 'missing';
    },
    fallback: (name, value) => fallbacks.push([name, value]),
  };
}

const condition = (source: string): string => conditionToCel(parseJinjaExpression(source), context());

describe('Jinja conditions → CEL', () => {
  it.each([
    ["not SKIP and has_succeeded('build')", '!inputs.SKIP && steps.build.status == "ok"'],
    ["ENV == 'prod' or has_failed('deploy')", 'inputs.ENV == "prod" || steps.deploy.status == "nok"'],
    [
      "ENV == 'staging' and (SKIP or has_succeeded('tests'))",
      'inputs.ENV == "staging" && (inputs.SKIP || steps.tests.status == "ok")',
    ],
    ["ENV in ['staging', 'prod']", 'inputs.ENV in ["staging", "prod"]'],
    ["ENV not in ['dev']", '!(inputs.ENV in ["dev"])'],
    ["'ro' in ENV", 'inputs.ENV.contains("ro")'],
    ['not ENV', '!(inputs.ENV != "")'],
    ['COUNT > 2', 'inputs.COUNT > 2'],
    ['COUNT > 2.5', 'double(inputs.COUNT) > 2.5'],
    ['RATIO', 'inputs.RATIO != 0.0'],
    ["is_skipped('a') or has_run('b')", 'steps.a.status == "skipped" || steps.b.status != "pending"'],
    ["previous_node('a').status == 'ok'", 'steps.a.status == "ok"'],
    ["previous_node('db-primary').exists", 'steps["db-primary"].status != "pending"'],
    ["ENV | lower == 'prod'", 'inputs.ENV.lowerAscii() == "prod"'],
    ["ENV | default('dev') == 'dev'", 'inputs.ENV == "dev"'],
    ['ENV is defined', 'true'],
    ['not not SKIP', '!!inputs.SKIP'],
    ['True', 'true'],
    ['ENV', '!(inputs.ENV.trim().lowerAscii() in ["", "false", "0", "no", "off"])'],
  ])('%s', (source, expected) => {
    expect(condition(source)).toBe(expected);
  });

  it('reports the steps a condition reads and the fallbacks of | default', () => {
    const ctx = context();
    conditionToCel(parseJinjaExpression("has_succeeded('a') and ENV | default('dev') == 'x'"), ctx);
    expect(ctx.reads).toEqual(['a']);
    expect(ctx.fallbacks).toEqual([['ENV', 'dev']]);
  });

  it('refuses a helper naming a node that does not exist', () => {
    expect(() => condition("has_succeeded('missing')")).toThrow(UnknownStep);
  });

  it.each([
    ['COUNT + 1 > 2', /operator `\+`/],
    ["ENV ~ 'x'", /operator `~`/],
    ["'a' if SKIP else 'b'", /inline `if/],
    ['lookup(ENV)', /function lookup/],
    ['ENV | join(",")', /filter `join`/],
    ['ENV == 1', /compares a string with an integer/],
    ['1 < COUNT < 3', /chained comparison/],
    ["previous_node('a').stdout", /only .status and .exists/],
    ['ENV[0]', /unexpected `\[`/],
    ['has_succeeded(ENV)', /one quoted node id/],
    ['', /empty expression/],
    ["'open", /never closed/],
    ['x = 1', /unexpected `=`/],
  ])('%s is outside the subset', (source, message) => {
    expect(() => condition(source)).toThrow(UnsupportedJinja);
    expect(() => condition(source)).toThrow(message);
  });

  it('refuses nesting past its limits instead of overflowing the stack', () => {
    const nested = `${'('.repeat(MAX_JINJA_DEPTH + 1)}SKIP${')'.repeat(MAX_JINJA_DEPTH + 1)}`;
    expect(() => parseJinjaExpression(nested)).toThrow(/nested more than/);
    const chain = Array.from({ length: MAX_JINJA_TREE_DEPTH + 2 }, () => 'SKIP').join(' and ');
    expect(() => parseJinjaExpression(chain)).toThrow(/operators deep/);
    const fine = Array.from({ length: 100 }, () => 'SKIP').join(' or ');
    expect(condition(fine)).toContain('inputs.SKIP || inputs.SKIP');
  });

  it('translates a value inserted into text, keeping its type', () => {
    expect(valueToCel(parseJinjaExpression('COUNT'), context())).toBe('inputs.COUNT');
    expect(valueToCel(parseJinjaExpression('ENV|upper'), context())).toBe('inputs.ENV.upperAscii()');
    expect(() => valueToCel(parseJinjaExpression('none'), context())).toThrow(UnsupportedJinja);
  });
});
