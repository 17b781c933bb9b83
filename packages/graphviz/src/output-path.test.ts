import { describe, expect, it } from 'vitest';
import { defaultDotPath, defaultOutputPath } from './output-path.js';

describe('default output paths', () => {
  it.each([
    ['deploy.playbook.toml', 'deploy.playbook.dot'],
    ['ops/deploy.playbook.toml', 'ops/deploy.playbook.dot'],
    ['a.playbook.toml.playbook.toml', 'a.playbook.toml.playbook.dot'],
    ['deploy.toml', 'deploy.dot'],
    ['deploy', 'deploy.dot'],
  ])('%s → %s', (input, expected) => {
    expect(defaultDotPath(input)).toBe(expected);
  });

  it('has SVG and PNG variants', () => {
    expect(defaultOutputPath('x.playbook.toml', 'svg')).toBe('x.playbook.svg');
    expect(defaultOutputPath('x.playbook.toml', 'png')).toBe('x.playbook.png');
  });
});
