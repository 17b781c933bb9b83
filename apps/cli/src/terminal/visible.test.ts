import { describe, expect, it } from 'vitest';
import { PAINTED, paint } from '../colors.js';
import { terminalSafeJson, visible, visibleExcept, visibleLine, visibleStrings } from './visible.js';

/** Anything a terminal would act on rather than show. */
const ACTS_ON = /[\0-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const HOSTILE = [
  '\x1b]52;c;cm0gLXJmIH4=\x07', // OSC 52: set the clipboard
  '\x1b[2J\x1b[H', // clear the screen, cursor home
  '\x1b]0;pwned\x07', // window title
  '\x9b2J', // C1 CSI: clear the screen on terminals that take 8-bit controls
  '\x1bP+q\x1b\\', // DCS
  'safe\rEVIL', // CR: overwrite what the line showed
  'abc\b\b\bxyz', // backspaces
  '\u202eevil\u202c', // right-to-left override
  '\u2066isolated\u2069',
  '\x7f\x00\x85',
];

describe('visible', () => {
  it.each(HOSTILE)('leaves nothing a terminal acts on: %j', (text) => {
    expect(visible(text)).not.toMatch(ACTS_ON);
    expect(visibleLine(text)).not.toMatch(ACTS_ON);
  });

  it('shows C0 and DEL as control pictures and the rest as \\u escapes', () => {
    expect(visible('\x1b[2J')).toBe('␛[2J');
    expect(visible('\x07\x00\x7f')).toBe('␇␀␡');
    expect(visible('\x9b2J')).toBe('\\u009b2J');
    expect(visible('a\u202eb')).toBe('a\\u202eb');
  });

  it('keeps line feeds, tabs and Windows line ends; a lone CR is shown', () => {
    expect(visible('a\tb\nc\r\nd')).toBe('a\tb\nc\r\nd');
    expect(visible('safe\rEVIL')).toBe('safe␍EVIL');
  });

  it('keeps ordinary text of any script as it is', () => {
    const text = 'Déploiement 日本 ✓ — «ok» 🚀 עברית';
    expect(visible(text)).toBe(text);
    expect(visibleLine(text)).toBe(text);
  });

  it('is idempotent', () => {
    for (const text of HOSTILE) {
      expect(visible(visible(text))).toBe(visible(text));
      expect(visibleLine(visibleLine(text))).toBe(visibleLine(text));
    }
  });
});

describe('visibleLine', () => {
  it('puts a value on one line: line breaks as ⏎, a tab shown', () => {
    expect(visibleLine('one\ntwo\r\nthree\tfour')).toBe('one ⏎ two ⏎ three␉four');
  });
});

describe('visibleExcept', () => {
  it('lets our own colours through and shows every other escape', () => {
    const text = `${paint(true, 'red', 'error:')} title \x1b[2J ${paint(true, 'bold', 'x')} \x1b[8m`;
    expect(visibleExcept(text, PAINTED)).toBe('\x1b[31merror:\x1b[39m title ␛[2J \x1b[1mx\x1b[22m ␛[8m');
  });
});

describe('visibleStrings', () => {
  it('makes every string of an event visible, also in arrays and nested objects, and keeps other values', () => {
    const event = {
      type: 'run-finished',
      workflowName: 'T\x1b]0;x\x07',
      runId: 3,
      failed: { nodeId: 'a', name: '\x9bname', reason: null },
      plan: ['a', '\x1b[2Jb'],
    };
    expect(visibleStrings(event)).toEqual({
      type: 'run-finished',
      workflowName: 'T␛]0;x␇',
      runId: 3,
      failed: { nodeId: 'a', name: '\\u009bname', reason: null },
      plan: ['a', '␛[2Jb'],
    });
  });
});

describe('terminalSafeJson', () => {
  it('escapes what JSON.stringify leaves raw, and the JSON value stays exactly the same', () => {
    const value = { text: 'a\x1b[2J\x9b\u202e\x7fé' };
    const json = terminalSafeJson(JSON.stringify(value));
    expect(json).not.toMatch(ACTS_ON);
    expect(JSON.parse(json)).toEqual(value);
  });
});
