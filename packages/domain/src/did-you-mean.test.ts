import { describe, expect, it } from 'vitest';
import { editDistance, suggestKey } from './did-you-mean.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and transpositions', () => {
    expect(editDistance('timeout', 'timeout')).toBe(0);
    expect(editDistance('timout', 'timeout')).toBe(1);
    expect(editDistance('tiemout', 'timeout')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('suggestKey', () => {
  const keys = ['type', 'depends_on', 'critical', 'skippable', 'timeout', 'command_name', 'function_name'];
  it('suggests close keys', () => {
    expect(suggestKey('depnds_on', keys)).toBe('depends_on');
    expect(suggestKey('dependsOn', keys)).toBe('depends_on');
    expect(suggestKey('Critical', keys)).toBe('critical');
    expect(suggestKey('skipable', keys)).toBe('skippable');
    expect(suggestKey('command', keys)).toBe('command_name');
  });
  it('suggests nothing for unrelated keys', () => {
    expect(suggestKey('owner', keys)).toBeUndefined();
    expect(suggestKey('x', keys)).toBeUndefined();
  });
  it('does not stretch a long unknown key onto a short known one, nor a one-letter id onto another', () => {
    expect(suggestKey('typo_key', keys)).toBeUndefined();
    expect(suggestKey('c', ['a', 'b'])).toBeUndefined();
    expect(suggestKey('ab', ['ba'])).toBe('ba');
    expect(suggestKey('tyep', keys)).toBe('type');
    expect(suggestKey('buld', ['build', 'deploy'])).toBe('build');
  });
});
