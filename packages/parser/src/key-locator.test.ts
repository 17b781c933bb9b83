import { describe, expect, it } from 'vitest';
import { locateKeys, locateKeysLazily } from './key-locator.js';

const text = [
  'early.type = "Command"', // 1
  'inline = { type = "Manual", prompt = "x", nested = { deep = 1 } }', // 2
  '', // 3
  '[runbook] # comment', // 4
  'description = """', // 5
  '[fake]', // 6
  'fake_key = 1', // 7
  '"""', // 8
  "title = '''x'''", // 9
  '', // 10
  '[ "quoted id" ]', // 11
  '  depends_on = [', // 12
  '    "a", # trailing', // 13
  '    { x = 1 },', // 14
  '  ]', // 15
  'function_params.channel = "#ops"', // 16
  '[build.function_params]', // 17
  'y = 2', // 18
  '[[many]]', // 19
  'a = "say \\"hi\\" = 1"', // 20
].join('\n');

describe('locateKeys', () => {
  const locations = locateKeys(text);

  it('finds headers, keys, dotted keys and inline-table keys (1-based)', () => {
    expect(locations.find(['early'])).toEqual({ line: 1, column: 1 });
    expect(locations.find(['early', 'type'])).toEqual({ line: 1, column: 1 });
    expect(locations.find(['inline'])).toEqual({ line: 2, column: 1 });
    expect(locations.find(['inline', 'prompt'])).toEqual({ line: 2, column: 29 });
    expect(locations.find(['inline', 'nested', 'deep'])).toEqual({ line: 2, column: 54 });
    expect(locations.find(['runbook'])).toEqual({ line: 4, column: 1 });
    expect(locations.find(['runbook', 'title'])).toEqual({ line: 9, column: 1 });
    expect(locations.find(['quoted id'])).toEqual({ line: 11, column: 1 });
    expect(locations.find(['quoted id', 'depends_on'])).toEqual({ line: 12, column: 3 });
    expect(locations.find(['quoted id', 'function_params', 'channel'])).toEqual({ line: 16, column: 1 });
    expect(locations.find(['build', 'function_params'])).toEqual({ line: 17, column: 1 });
    expect(locations.find(['build', 'function_params', 'y'])).toEqual({ line: 18, column: 1 });
    expect(locations.find(['many', 'a'])).toEqual({ line: 20, column: 1 });
  });

  it('is not fooled by multi-line strings, arrays or quotes', () => {
    expect(locations.find(['fake'])).toBeUndefined();
    expect(locations.find(['runbook', 'fake_key'])).toBeUndefined();
    expect(locations.find(['quoted id', 'x'])).toBeUndefined();
    expect(locations.find(['many', 'hi'])).toBeUndefined();
  });

  it('lists top-level keys in the order of the text', () => {
    expect(locations.topLevelOrder).toEqual(['early', 'inline', 'runbook', 'quoted id', 'build', 'many']);
  });

  it('tells which table a line belongs to', () => {
    expect(locations.tableAt(3)).toBe('inline');
    expect(locations.tableAt(8)).toBe('runbook');
    expect(locations.tableAt(14)).toBe('quoted id');
    expect(locations.tableAt(100)).toBe('many');
    expect(locateKeys('\n\n[a]').tableAt(1)).toBeUndefined();
  });

  it('terminates on text the TOML library would reject', () => {
    for (const broken of ['[', '"', 'a = """', 'a = [1, {', '= = =', "x = '''", 'k = {a = ', '[a.]']) {
      expect(() => locateKeys(broken)).not.toThrow();
    }
  });
});

describe('locateKeysLazily', () => {
  it('records only the top level and the kept keys first, and finds any other key with a full pass', () => {
    const kept: string[] = [];
    const first = locateKeys(text, (path, depth) => {
      kept.push(path.slice(0, depth + 1).join('.'));
      return path[depth] === 'prompt';
    });
    expect(first.find(['inline', 'prompt'])).toEqual({ line: 2, column: 29 });
    expect(first.find(['inline', 'type'])).toBeUndefined();
    expect(first.find(['build'])).toEqual({ line: 17, column: 1 });
    expect(first.topLevelOrder).toEqual(locateKeys(text).topLevelOrder);
    expect(kept).toContain('inline.nested.deep');

    const lazy = locateKeysLazily(text, (path, depth) => path[depth] === 'prompt');
    expect(lazy.find(['inline', 'prompt'])).toEqual({ line: 2, column: 29 });
    expect(lazy.find(['inline', 'type'])).toEqual({ line: 2, column: 12 });
    expect(lazy.find(['build', 'function_params', 'y'])).toEqual({ line: 18, column: 1 });
    expect(lazy.tableAt(14)).toBe('quoted id');
  });
});
