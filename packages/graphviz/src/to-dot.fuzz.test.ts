import { Graphviz } from '@hpcc-js/wasm-graphviz';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { command, func, manual, runbook } from '../test/runbooks.js';
import { toDot } from './to-dot.js';

// SPEC §6: "Every string is escaped so that any title, id or name yields valid DOT." Checked by Graphviz
// itself: any generated runbook lays out, with exactly its nodes (ids read back as written) and its edges. All
// layouts go through one Graphviz instance, as in a program that draws many runbooks: before `quoteLabel`
// stopped writing labels whose first line is empty, this property failed within a few dozen runs with "table
// index is out of bounds" from inside the WASM module.

let graphviz: Awaited<ReturnType<typeof Graphviz.load>>;
beforeAll(async () => {
  graphviz = await Graphviz.load();
});

// Text made of the pieces that break naive DOT writers: quotes, backslashes and label escapes, braces, edge
// operators, line breaks (leading ones too), HTML entities, XML and non-ASCII; or any string of code points.
const piece = fc.constantFrom(
  '"',
  '\\',
  '{',
  '}',
  '->',
  '--',
  ';',
  '\n',
  '\r\n',
  '\r',
  '\u2028',
  '<',
  '>',
  '&amp;',
  '&#38;',
  '&lt;',
  '\\N',
  '\\G',
  '\\l',
  '//',
  '/*',
  'é',
  '🚀',
  'a',
  ' ',
);
const anyText = fc.oneof(
  fc.array(piece, { maxLength: 10 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
// Node ids as a runbook allows them (SPEC §1.2), including the words DOT reserves.
const idText = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
  fc.constantFrom('node', 'edge', 'graph', 'digraph', 'subgraph', 'strict', 'NODE', '-1', '1e5', '0x1'),
);

const MAX_NODES = 6;
const generated = fc
  .record({
    title: anyText,
    description: anyText,
    ids: fc.uniqueArray(idText, { minLength: 1, maxLength: MAX_NODES }),
    names: fc.array(anyText, { minLength: MAX_NODES, maxLength: MAX_NODES }),
    deps: fc.array(fc.array(fc.nat(), { maxLength: 2 }), { minLength: MAX_NODES, maxLength: MAX_NODES }),
    critical: fc.array(fc.boolean(), { minLength: MAX_NODES, maxLength: MAX_NODES }),
  })
  .map(({ title, description, ids, names, deps, critical }) =>
    runbook(
      { title, description },
      ids.map((id, i) => {
        const dependsOn = i === 0 ? [] : [...new Set((deps[i] ?? []).map((d) => ids[d % i] as string))];
        const options = { name: names[i] as string, dependsOn, critical: critical[i] as boolean };
        return [command, manual, func][i % 3]!(id, options);
      }),
    ),
  );

describe('toDot on generated runbooks', () => {
  it('always yields DOT that Graphviz reads back with the same nodes and edges', () => {
    fc.assert(
      fc.property(generated, (book) => {
        const json = JSON.parse(graphviz.layout(toDot(book), 'json')) as {
          objects?: Array<{ name: string }>;
          edges?: Array<{ tail: number; head: number }>;
        };
        const names = (json.objects ?? []).map((object) => object.name);
        expect(names).toEqual(book.nodes.map((node) => node.id));
        const edges = (json.edges ?? []).map((edge) => `${names[edge.tail]} -> ${names[edge.head]}`);
        expect(edges.sort()).toEqual(
          book.nodes.flatMap((node) => node.dependsOn.map((dep) => `${dep} -> ${node.id}`)).sort(),
        );
      }),
      // ~1 ms a layout: 1,000 runs stay near a second, and are many times what it took to fail before.
      { numRuns: 1000 },
    );
  });
});
