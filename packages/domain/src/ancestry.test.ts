import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ancestry } from './ancestry.js';

// The plain definition: walk every path up from the node.
function dependsOn(dependencies: ReadonlyMap<string, readonly string[]>, node: string, ancestor: string) {
  const seen = new Set<string>();
  const stack = [...(dependencies.get(node) ?? [])];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    if (current === ancestor) return true;
    if (seen.has(current)) continue;
    seen.add(current);
    for (const dependency of dependencies.get(current) ?? []) stack.push(dependency);
  }
  return false;
}

describe('ancestry', () => {
  it('answers as a walk up the graph does, whatever the order and repetition of the questions', () => {
    // A random DAG: node i depends only on nodes before it. Questions repeat, so the descendant sets are used.
    const graph = fc
      .integer({ min: 1, max: 30 })
      .chain((size) =>
        fc.tuple(
          fc.array(fc.uniqueArray(fc.nat(size - 1), { maxLength: 3 }), { minLength: size, maxLength: size }),
          fc.array(fc.tuple(fc.nat(size - 1), fc.nat(size - 1)), { maxLength: 60 }),
        ),
      );
    fc.assert(
      fc.property(graph, ([edges, questions]) => {
        const dependencies = new Map(
          edges.map((needs, index) => [
            `n${index}`,
            needs.filter((need) => need < index).map((need) => `n${need}`),
          ]),
        );
        const isAncestor = ancestry(dependencies);
        for (const [node, ancestor] of questions) {
          expect(isAncestor(`n${node}`, `n${ancestor}`)).toBe(
            dependsOn(dependencies, `n${node}`, `n${ancestor}`),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a 20,000-node chain where every node reads the first and its grandparent', () => {
    const count = 20_000;
    const dependencies = new Map<string, string[]>();
    for (let index = 0; index < count; index++)
      dependencies.set(`n${index}`, index === 0 ? [] : [`n${index - 1}`]);
    const isAncestor = ancestry(dependencies);
    let all = true;
    for (let index = 2; index < count; index++) {
      all &&= isAncestor(`n${index}`, 'n0') && isAncestor(`n${index}`, `n${index - 2}`);
    }
    expect(all).toBe(true);
    expect(isAncestor('n0', 'n1')).toBe(false);
    expect(isAncestor('n5', 'n5')).toBe(false);
  });
});
