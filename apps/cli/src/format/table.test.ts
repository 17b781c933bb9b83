import { describe, expect, it } from 'vitest';
import { renderFields, renderTable } from './table.js';

describe('renderTable', () => {
  it('pads each column to its widest cell, header included', () => {
    const rows = [
      { id: 'a', n: 1 },
      { id: 'longer', n: 12345 },
    ];
    const table = renderTable(rows, [
      { header: 'ID', value: (row) => row.id },
      { header: 'N', value: (row) => String(row.n), right: true },
    ]);
    expect(table).toBe('ID          N\na           1\nlonger  12345\n');
  });

  it('renders 200,000 rows: no width is taken by spreading every cell into one call', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `n${i}`);
    const table = renderTable(rows, [{ header: 'NODE', value: (row) => row }]);
    expect(table.split('\n')).toHaveLength(200_002);
    expect(table.endsWith('n199999\n')).toBe(true);
  });
});

describe('renderFields', () => {
  it('pads labels to the longest, also with 200,000 of them', () => {
    expect(
      renderFields([
        ['a', '1'],
        ['long', '2'],
      ]),
    ).toBe('  a     1\n  long  2\n');
    const fields = Array.from({ length: 200_000 }, (_, i) => [`label ${i}`, 'x'] as const);
    expect(renderFields(fields).split('\n')).toHaveLength(200_001);
  });
});
