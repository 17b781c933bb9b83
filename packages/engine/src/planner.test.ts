import { describe, expect, it } from 'vitest';
import { EngineError } from './engine-error.js';
import { planOrder } from './planner.js';
import { buildRunbook, manualNode } from './testing/runbook-builder.js';

const node = (id: string, ...dependsOn: string[]) => manualNode(id, { dependsOn });

describe('planOrder', () => {
  it.each([
    {
      name: 'declaration order when nothing depends',
      nodes: [node('a'), node('b'), node('c')],
      order: ['a', 'b', 'c'],
    },
    { name: 'a dependency declared later goes first', nodes: [node('a', 'b'), node('b')], order: ['b', 'a'] },
    {
      name: 'among ready nodes the one declared first goes first',
      nodes: [node('root'), node('late', 'root'), node('early'), node('mid', 'root')],
      order: ['root', 'late', 'early', 'mid'],
    },
    {
      name: 'a node freed later still beats later-declared ready nodes',
      nodes: [node('x', 'c'), node('c'), node('y'), node('z')],
      order: ['c', 'x', 'y', 'z'],
    },
    {
      name: 'diamond',
      nodes: [node('d', 'b', 'c'), node('c', 'a'), node('b', 'a'), node('a')],
      order: ['a', 'c', 'b', 'd'],
    },
  ])('$name', ({ nodes, order }) => {
    expect(planOrder(buildRunbook(nodes))).toEqual(order);
  });

  it('handles a long chain declared backwards', () => {
    const count = 5000;
    const nodes = Array.from({ length: count }, (_, i) =>
      i === count - 1 ? node(`n${i}`) : node(`n${i}`, `n${i + 1}`),
    );
    const order = planOrder(buildRunbook(nodes));
    expect(order[0]).toBe(`n${count - 1}`);
    expect(order.at(-1)).toBe('n0');
  });

  it('plans a 200,000-node chain and a 200,000-node fan-out without overflowing the stack', {
    timeout: 120_000,
  }, () => {
    const count = 200_000;
    const chain = Array.from({ length: count }, (_, i) =>
      i === 0 ? node('n0') : node(`n${i}`, `n${i - 1}`),
    );
    const order = planOrder(buildRunbook(chain));
    expect(order).toHaveLength(count);
    expect(order.at(-1)).toBe(`n${count - 1}`);
    const fan = [node('root'), ...Array.from({ length: count - 1 }, (_, i) => node(`n${i}`, 'root'))];
    expect(planOrder(buildRunbook(fan)).slice(0, 2)).toEqual(['root', 'n0']);
  });

  it('counts a dependency listed twice once per listing', () => {
    expect(planOrder(buildRunbook([node('b', 'a', 'a'), node('a')]))).toEqual(['a', 'b']);
  });

  it.each([
    {
      name: 'a cycle, named along its edges',
      nodes: [node('a', 'c'), node('b', 'a'), node('c', 'b')],
      message: /cycle: (a → b → c → a|b → c → a → b|c → a → b → c)/,
    },
    { name: 'a self-dependency', nodes: [node('a', 'a')], message: /cycle: a → a/ },
    { name: 'an unknown dependency', nodes: [node('a', 'ghost')], message: /"a" depends on "ghost"/ },
    { name: 'a duplicate id', nodes: [node('a'), node('a')], message: /"a" is declared twice/ },
  ])('refuses $name', ({ nodes, message }) => {
    const attempt = () => planOrder(buildRunbook(nodes));
    expect(attempt).toThrow(EngineError);
    expect(attempt).toThrow(message);
  });
});
