import { describe, expect, it } from 'vitest';
import { parseRunbook } from './parse-runbook.js';

const HEAD = `[runbook]
title = "T"
description = "d"
version = "0.1.0"
author = "a"
created_at = "2025-01-01T00:00:00Z"
`;

describe('function references', () => {
  it('lists each Function node with where its function_name stands, also when the file has other errors', () => {
    const text = `${HEAD}
[notify]
type = "Function"
function_name = "./ops.mjs#notify"

[broken]
type = "Command"
depends_on = ["ghost"]
`;
    const result = parseRunbook(text, 'x.playbook.toml');
    expect(result.ok).toBe(false);
    expect(result.functions).toEqual([
      { nodeId: 'notify', functionName: './ops.mjs#notify', line: 10, column: 1 },
    ]);
  });

  it('leaves out a function_name that drew a problem of its own, and gives none for text that is not TOML', () => {
    const bad = parseRunbook(`${HEAD}\n[f]\ntype = "Function"\nfunction_name = 3\n`, 'x.playbook.toml');
    expect(bad.functions).toEqual([]);
    expect(parseRunbook('[runbook\n', 'x.playbook.toml').functions).toBeUndefined();
  });

  it('is on a valid runbook too', () => {
    const result = parseRunbook(
      `${HEAD}\n[f]\ntype = "Function"\nfunction_name = "playbook:sleep"\n`,
      'x.playbook.toml',
    );
    expect(result.ok && result.functions).toEqual([
      { nodeId: 'f', functionName: 'playbook:sleep', line: 10, column: 1 },
    ]);
  });
});
