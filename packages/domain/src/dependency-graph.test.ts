import { describe, expect, it } from 'vitest';
import { buildDependencyGraph, findDependencyCycles } from './dependency-graph.js';

const nodes = (spec: Record<string, string[]>) =>
  Object.entries(spec).map(([id, dependsOn]) => ({ id, dependsOn }));

describe('findDependencyCycles', () => {
  it('finds none in a DAG', () => {
    expect(findDependencyCycles(nodes({ a: [], b: ['a'], c: ['a', 'b'] }))).toEqual([]);
  });

  it('names the cycle from its first declared node, following depends_on', () => {
    // a depends on c, b on a, c on b.
    expect(findDependencyCycles(nodes({ a: ['c'], b: ['a'], c: ['b'] }))).toEqual([
      { path: ['a', 'c', 'b', 'a'] },
    ]);
  });

  it('reports one cycle per strongly connected component, in declaration order', () => {
    const found = findDependencyCycles(nodes({ x: [], p: ['q'], q: ['p'], a: ['b'], b: ['a'], z: ['a'] }));
    expect(found).toEqual([{ path: ['p', 'q', 'p'] }, { path: ['a', 'b', 'a'] }]);
  });

  it('gives the shortest way back in a tangled component', () => {
    const found = findDependencyCycles(nodes({ a: ['b', 'd'], b: ['c'], c: ['a'], d: ['a'] }));
    expect(found).toEqual([{ path: ['a', 'd', 'a'] }]);
  });

  it('ignores self-references and unknown ids (reported by the validator)', () => {
    expect(findDependencyCycles(nodes({ a: ['a', 'ghost'] }))).toEqual([]);
    expect(buildDependencyGraph(nodes({ a: ['a', 'ghost'] })).edgeCount()).toBe(0);
  });

  it('handles a 50,000-node chain and a 50,000-node cycle without overflowing the stack', () => {
    const chain = Array.from({ length: 50_000 }, (_, i) => ({
      id: `n${i}`,
      dependsOn: i === 0 ? [] : [`n${i - 1}`],
    }));
    expect(findDependencyCycles(chain)).toEqual([]);
    chain[0] = { id: 'n0', dependsOn: ['n49999'] };
    const [cycle] = findDependencyCycles(chain);
    expect(cycle?.path).toHaveLength(50_001);
    expect(cycle?.path.slice(0, 3)).toEqual(['n0', 'n49999', 'n49998']);
  });
});
