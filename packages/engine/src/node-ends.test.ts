import { describe, expect, it } from 'vitest';
import { NodeEnds } from './node-ends.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

describe('NodeEnds', () => {
  it('gives the ends in the order they come, waiting for one when none is there', async () => {
    const ends = new NodeEnds<string>();
    const a = deferred<string>();
    const b = deferred<string>();
    ends.add(a.promise);
    ends.add(b.promise);
    b.resolve('b');
    a.resolve('a');
    expect(await ends.next()).toBe('b');
    expect(await ends.next()).toBe('a');
    const c = deferred<string>();
    ends.add(c.promise);
    const next = ends.next();
    c.resolve('c');
    expect(await next).toBe('c');
  });

  it('throws a rejection, before ends that came after it', async () => {
    const ends = new NodeEnds<string>();
    const a = deferred<string>();
    const b = deferred<string>();
    ends.add(a.promise);
    ends.add(b.promise);
    a.reject(new Error('disk full'));
    b.resolve('b');
    await expect(ends.next()).rejects.toThrow('disk full');
  });

  // The cost the class exists for: a long-running node beside many short ones. With Promise.race each end
  // added a reaction to the long node's promise; here a wait settles exactly one promise of ours.
  it('follows 100,000 short nodes beside one that runs throughout', async () => {
    const ends = new NodeEnds<number>();
    const long = deferred<number>();
    ends.add(long.promise);
    for (let i = 0; i < 100_000; i++) {
      ends.add(Promise.resolve(i));
      expect(await ends.next()).toBe(i);
    }
    long.resolve(-1);
    expect(await ends.next()).toBe(-1);
  });
});
