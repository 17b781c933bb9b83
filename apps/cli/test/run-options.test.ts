import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type RunSignal, type SignalSource, trapInterrupts } from '../src/commands/run-interrupts.js';
import { isInteractive, parseRetries, parseSetValues, shellQuote } from '../src/commands/run-options.js';
import { ExitCode } from '../src/errors.js';
import { parseRunId } from '../src/run-id.js';

describe('run/resume flags', () => {
  it('parses --set into node → param → value, splitting at the first dot and the first =', () => {
    expect(
      parseSetValues(['notify.message=a=b', 'notify.channel=#ops', 'deploy.url.path=', 'x-1.p=v']),
    ).toEqual({
      notify: { message: 'a=b', channel: '#ops' },
      deploy: { 'url.path': '' },
      'x-1': { p: 'v' },
    });
  });

  it.each(['nodot=1', 'node.param', '.param=1', 'node.=1', 'no de.p=1'])(
    'refuses --set %s as a usage error',
    (flag) => {
      expect(() => parseSetValues([flag])).toThrow(expect.objectContaining({ name: 'UsageError' }));
    },
  );

  it('takes --retries as a non-negative integer only', () => {
    expect(parseRetries(undefined)).toBe(0);
    expect(parseRetries('0')).toBe(0);
    expect(parseRetries('3')).toBe(3);
    for (const bad of ['-1', '1.5', 'two', '', '1e3']) {
      expect(() => parseRetries(bad)).toThrow(/--retries expects a non-negative integer/);
    }
  });

  it('takes a run id as a positive integer only, naming the flag or argument', () => {
    expect(parseRunId('12')).toBe(12);
    for (const bad of ['0', '-2', 'latest', '1.5', '']) {
      expect(() => parseRunId(bad)).toThrow(/^--run-id must be a positive integer/);
    }
    expect(() => parseRunId('x', 'run_id')).toThrow(/^run_id must be a positive integer/);
  });

  it('is non-interactive with the flag or with CI set (CI=false and CI=0 switch it back off)', () => {
    expect(isInteractive(false, {})).toBe(true);
    expect(isInteractive(true, {})).toBe(false);
    expect(isInteractive(false, { CI: 'true' })).toBe(false);
    expect(isInteractive(false, { CI: '1' })).toBe(false);
    expect(isInteractive(false, { CI: 'false' })).toBe(true);
    expect(isInteractive(false, { CI: '0' })).toBe(true);
    expect(isInteractive(false, { CI: '' })).toBe(true);
  });

  it('quotes paths for the suggested resume command only when needed', () => {
    expect(shellQuote('examples/deploy.playbook.toml')).toBe('examples/deploy.playbook.toml');
    expect(shellQuote("my runbooks/it's.playbook.toml")).toBe(`'my runbooks/it'\\''s.playbook.toml'`);
  });
});

/** A stand-in for `process`: records handlers and exits instead of performing them. */
class FakeSignals implements SignalSource {
  readonly handlers = new Map<string, Set<() => void>>();
  readonly exits: number[] = [];
  on(event: string, listener: () => void) {
    const set = this.handlers.get(event) ?? new Set();
    set.add(listener);
    this.handlers.set(event, set);
  }
  off(event: string, listener: () => void) {
    this.handlers.get(event)?.delete(listener);
  }
  exit(code: number): never {
    this.exits.push(code);
    return undefined as never;
  }
  send(event: RunSignal) {
    for (const handler of this.handlers.get(event) ?? []) handler();
  }
}

describe('trapInterrupts', () => {
  it('aborts on the first signal, forces exit 130 on the second, and lets go of the handlers', () => {
    const source = new FakeSignals();
    const stderr = new PassThrough();
    let settled = 0;
    const trap = trapInterrupts({ stderr, source, beforeReport: () => settled++ });
    expect(trap.signal.aborted).toBe(false);
    source.send('SIGTERM');
    expect(trap.signal.aborted).toBe(true);
    expect(trap.interrupted).toBe(true);
    expect(source.exits).toEqual([]);
    expect(String(stderr.read())).toContain('press Ctrl-C again');
    trap.interrupt(); // Ctrl-C typed at a raw-mode prompt counts like a SIGINT
    expect(source.exits).toEqual([ExitCode.interrupted]);
    expect(settled).toBe(2);
    trap.release();
    expect([...source.handlers.values()].every((set) => set.size === 0)).toBe(true);
  });

  it('while an interrupted run still runs its cleanup steps, the second signal stops them; the third exits', () => {
    const source = new FakeSignals();
    const stderr = new PassThrough();
    const trap = trapInterrupts({ stderr, source });
    source.send('SIGINT');
    expect(trap.promptSignal.aborted).toBe(true);
    trap.cleanupStarted();
    // The cleanup steps may ask the operator again, until the next interrupt.
    expect(trap.promptSignal.aborted).toBe(false);
    expect(trap.cleanupSignal.aborted).toBe(false);
    source.send('SIGINT');
    expect(trap.cleanupSignal.aborted).toBe(true);
    expect(trap.promptSignal.aborted).toBe(true);
    expect(source.exits).toEqual([]);
    expect(String(stderr.read())).toContain('Skipping the remaining rollback and cleanup steps');
    source.send('SIGINT');
    expect(source.exits).toEqual([ExitCode.interrupted]);
  });

  it('takes SIGQUIT as an interrupt, like SIGINT and SIGTERM', () => {
    const source = new FakeSignals();
    const trap = trapInterrupts({ stderr: new PassThrough(), source });
    source.send('SIGQUIT');
    expect(trap.signal.aborted).toBe(true);
    expect(trap.promptSignal.aborted).toBe(true);
    expect(trap.hangup.aborted).toBe(false);
    source.send('SIGQUIT');
    expect(source.exits).toEqual([ExitCode.interrupted]);
  });

  it('takes SIGHUP as the terminal gone: no interrupt, no exit, questions end; an interrupt still counts', () => {
    const source = new FakeSignals();
    const stderr = new PassThrough();
    const trap = trapInterrupts({ stderr, source });
    source.send('SIGHUP');
    source.send('SIGHUP');
    trap.hangUp(); // the terminal's input ended under a question: the same
    expect(trap.hungUp).toBe(true);
    expect(trap.hangup.reason).toMatchObject({ message: 'the terminal was closed (SIGHUP)' });
    expect(trap.promptSignal.aborted).toBe(true);
    expect(trap.signal.aborted).toBe(false);
    expect(trap.interrupted).toBe(false);
    expect(source.exits).toEqual([]);
    // Said once, for a log that outlived the terminal.
    expect(String(stderr.read()).match(/The terminal was closed/g)).toHaveLength(1);
    source.send('SIGINT');
    expect(trap.signal.aborted).toBe(true);
    trap.release();
    expect([...source.handlers.values()].every((set) => set.size === 0)).toBe(true);
  });
});
