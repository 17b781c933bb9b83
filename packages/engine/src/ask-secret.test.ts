import { ASK_SECRET_PLACEHOLDER, type Runbook } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import type { RunOptions } from './engine-types.js';
import type { EngineEvent } from './events.js';
import type { PlaybookFunction } from './ports/function-loader.js';
import { FakeFunctionLoader } from './testing/fake-function-loader.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { InMemoryRunRepository } from './testing/memory-run-repository.js';
import { buildRunbook, commandNode, functionNode } from './testing/runbook-builder.js';
import type { ScriptedAnswer } from './testing/scripted-prompter.js';
import { createTestPorts } from './testing/test-ports.js';

const SECRET = 's3cr3t-token';
const WORKFLOW = 'Test runbook';

const runbook = buildRunbook([
  functionNode('deploy', 'deploy', { region: 'eu', token: ASK_SECRET_PLACEHOLDER }),
]);

/** Runs (or resumes, with `resume`) `runbook` on `repository`; returns what was stored and emitted. */
async function runWith(
  repository: InMemoryRunRepository,
  fn: PlaybookFunction,
  answers: readonly ScriptedAnswer[],
  options: Partial<RunOptions> & { resume?: boolean; book?: Runbook } = {},
) {
  const { resume, book, ...runOptions } = options;
  const ports = createTestPorts({
    repository,
    answers,
    functionLoader: new FakeFunctionLoader({ deploy: fn }),
  });
  const events: EngineEvent[] = [];
  const engine = createEngine(ports);
  const all = { interactive: true, onEvent: (event: EngineEvent) => events.push(event), ...runOptions };
  const outcome = await (resume === true
    ? engine.resume(book ?? runbook, all)
    : engine.run(book ?? runbook, all));
  const state = await repository.loadRun({ workflowName: WORKFLOW, runId: outcome.runId });
  if (state === undefined) throw new Error('run not stored');
  return { ports, events, outcome, state };
}

/** A function that leaks its token every way it can: logged, returned, and (when asked to) thrown. */
function leaky(calls: unknown[], throwIt = false): PlaybookFunction {
  return (params, context) => {
    calls.push(params['token']);
    context.logger.info(`using token ${String(params['token'])} in ${String(params['region'])}`);
    context.logger.warn(`multi\nline ${String(params['token'])}\nwarning`);
    if (throwIt) throw new Error(`rejected token ${String(params['token'])}`);
    return { token: params['token'], ok: true };
  };
}

describe('secret ask params (ASK_SECRET_PLACEHOLDER)', () => {
  it('asks the operator with the secret flag and passes the value to the function as typed', async () => {
    const calls: unknown[] = [];
    const run = await runWith(new InMemoryRunRepository(), leaky(calls), [{ value: SECRET }], {
      interactive: true,
    });
    expect(run.ports.prompter.questions).toEqual([
      { kind: 'ask-value', nodeId: 'deploy', param: 'token', secret: true },
    ]);
    expect(calls).toEqual([SECRET]);
  });

  it('never stores the value: no remembered answer, nothing in any attempt', async () => {
    const run = await runWith(new InMemoryRunRepository(), leaky([]), [{ value: SECRET }]);
    expect(run.state.answers).toEqual({});
    expect(JSON.stringify(run.state)).not.toContain(SECRET);
  });

  it('masks the value in stored stdout, stderr and result text, and in output events', async () => {
    const run = await runWith(new InMemoryRunRepository(), leaky([]), [{ value: SECRET }]);
    const attempt = run.state.attempts.find((a) => a.nodeId === 'deploy');
    expect(attempt).toMatchObject({
      status: 'ok',
      stdout: 'using token *** in eu\n',
      stderr: 'multi\nline ***\nwarning\n',
      resultText: '{"token":"***","ok":true}',
    });
    // Chunks are cut where the mask held text back; each stream, put together, is what was stored.
    const shown = (stream: string) =>
      run.events.flatMap((e) => (e.type === 'output' && e.stream === stream ? [e.chunk] : [])).join('');
    expect(shown('stdout')).toBe('using token *** in eu\n');
    expect(shown('stderr')).toBe('multi\nline ***\nwarning\n');
    expect(JSON.stringify(run.events)).not.toContain(SECRET);
  });

  it('masks the value in the exception and the failure reason of a function that throws it', async () => {
    const run = await runWith(new InMemoryRunRepository(), leaky([], true), [
      { value: SECRET },
      { afterFailure: 'abort' },
    ]);
    const attempt = run.state.attempts.find((a) => a.nodeId === 'deploy');
    expect(attempt?.status).toBe('nok');
    expect(attempt?.exception).toContain('rejected token ***');
    expect(JSON.stringify(run.state)).not.toContain(SECRET);
    expect(JSON.stringify(run.events)).not.toContain(SECRET);
    const failure = run.ports.prompter.questions.find((q) => q.kind === 'after-failure');
    expect(failure).toMatchObject({ reason: 'threw: Error: rejected token ***' });
  });

  it('asks again on a retry, so that a mistyped secret can be typed again', async () => {
    const calls: unknown[] = [];
    const fn: PlaybookFunction = (params) => {
      calls.push(params['token']);
      if (params['token'] !== SECRET) throw new Error('wrong token');
    };
    const run = await runWith(new InMemoryRunRepository(), fn, [
      { value: 'mistyped' },
      { afterFailure: 'retry' },
      { value: SECRET },
    ]);
    expect(calls).toEqual(['mistyped', SECRET]);
    expect(run.ports.prompter.questions.map((q) => q.kind)).toEqual([
      'ask-value',
      'after-failure',
      'ask-value',
    ]);
    expect(run.state.attempts.map((a) => `${a.nodeId}#${a.attempt}:${a.status}`)).toContain('deploy#2:ok');
  });

  it('asks again on resume, having remembered nothing', async () => {
    const repository = new InMemoryRunRepository();
    const calls: unknown[] = [];
    const fn: PlaybookFunction = (params) => {
      calls.push(params['token']);
      if (calls.length === 1) throw new Error('first try fails');
    };
    const first = await runWith(repository, fn, [{ value: SECRET }, { afterFailure: 'abort' }]);
    expect(first.outcome.status).toBe('aborted');
    const resumed = await runWith(repository, fn, [{ value: 'typed again' }], { resume: true });
    expect(resumed.ports.prompter.questions).toEqual([
      { kind: 'ask-value', nodeId: 'deploy', param: 'token', secret: true },
    ]);
    expect(calls).toEqual([SECRET, 'typed again']);
  });

  it('takes a value given up front (--set), without asking, storing or printing it', async () => {
    const calls: unknown[] = [];
    const run = await runWith(new InMemoryRunRepository(), leaky(calls), [], {
      interactive: false,
      values: { deploy: { token: SECRET } },
    });
    expect(calls).toEqual([SECRET]);
    expect(run.ports.prompter.questions).toEqual([]);
    expect(JSON.stringify(run.state)).not.toContain(SECRET);
    expect(JSON.stringify(run.events)).not.toContain(SECRET);
  });

  it('ends nok without an operator and without a value, saying it needs one', async () => {
    const calls: unknown[] = [];
    const run = await runWith(new InMemoryRunRepository(), leaky(calls), [], { interactive: false });
    expect(calls).toEqual([]);
    const attempt = run.state.attempts.find((a) => a.nodeId === 'deploy');
    expect(attempt?.status).toBe('nok');
    expect(attempt?.resultText).toMatch(/"token" of "deploy": it needs an operator/);
  });
});

describe('one mask for the whole run (SPEC §11)', () => {
  /** Secrets that break a mask working on one encoding, on single chunks or with a regular expression. */
  const HOSTILE = ['pa"ss\\word', 'two\nlines-of-it', 'ünï-🔑-秘密-x', '.*+?^$\u{7b}}()|[]'];

  /**
   * A run where the secret is given up front to `deploy`; `before` prints it before `deploy` runs (it read it
   * somewhere), `deploy` leaks it in every way, `after` prints it split across two chunks.
   */
  async function leakEverywhere(secret: string) {
    const [head, tail] = [secret.slice(0, 5), secret.slice(5)];
    const book = buildRunbook([
      commandNode('before', 'before'),
      functionNode('deploy', 'deploy', { token: ASK_SECRET_PLACEHOLDER }, { dependsOn: ['before'] }),
      commandNode('after', 'after', { dependsOn: ['deploy'] }),
    ]);
    const ports = createTestPorts({
      processRunner: new FakeProcessRunner({
        before: { stdout: `read ${secret} from the vault\n` },
        after: {
          whileRunning: (request) => {
            request.onOutput('stdout', `first half ${head}`);
            request.onOutput('stdout', `${tail} second half\n`);
            request.onOutput('stderr', `as JSON: ${JSON.stringify({ secret })}\n`);
          },
          exitCode: 3,
        },
      }),
      functionLoader: new FakeFunctionLoader({
        deploy: (params, context) => {
          const token = String(params['token']);
          context.logger.info(`using ${token}`);
          context.logger.warn(JSON.stringify(params));
          return { token, note: `"${token}"`, [token]: [token] };
        },
      }),
    });
    const events: EngineEvent[] = [];
    const outcome = await createEngine(ports).run(book, {
      interactive: false,
      values: { deploy: { token: secret } },
      onEvent: (event) => events.push(event),
    });
    const state = await ports.repository.loadRun({ workflowName: WORKFLOW, runId: outcome.runId });
    return { outcome, state, events };
  }

  it.each(HOSTILE)('%j appears nowhere: no stored column, no event, in any node', async (secret) => {
    const run = await leakEverywhere(secret);
    const escaped = JSON.stringify(secret).slice(1, -1);
    const everything = [JSON.stringify(run.state), JSON.stringify(run.events), JSON.stringify(run.outcome)];
    for (const text of everything) {
      expect(text).not.toContain(escaped);
      expect(text).not.toContain(JSON.stringify(escaped).slice(1, -1));
    }
    const attempt = (nodeId: string) => run.state?.attempts.find((a) => a.nodeId === nodeId);
    expect(attempt('before')?.stdout).toBe('read *** from the vault\n');
    expect(attempt('deploy')).toMatchObject({
      status: 'ok',
      stdout: 'using ***\n',
      stderr: '{"token":"***"}\n',
      resultText: '{"token":"***","note":"\\"***\\"","***":["***"]}',
    });
    expect(attempt('after')).toMatchObject({
      status: 'nok',
      stdout: 'first half *** second half\n',
      stderr: 'as JSON: {"secret":"***"}\n',
    });
    // Events carry exactly what was stored, stream by stream.
    const shown = (nodeId: string, stream: string) =>
      run.events
        .flatMap((e) => (e.type === 'output' && e.nodeId === nodeId && e.stream === stream ? [e.chunk] : []))
        .join('');
    expect(shown('after', 'stdout')).toBe(attempt('after')?.stdout);
    expect(shown('deploy', 'stdout')).toBe(attempt('deploy')?.stdout);
  });

  it('masks a thrown secret before a line is taken from it: reasons, exception, events', async () => {
    const secret = 'multi\nline-secret';
    const book = buildRunbook([functionNode('deploy', 'deploy', { token: ASK_SECRET_PLACEHOLDER })]);
    const ports = createTestPorts({
      functionLoader: new FakeFunctionLoader({
        deploy: (params) => {
          throw new Error(`bad token ${String(params['token'])} for ${JSON.stringify(params)}`);
        },
      }),
    });
    const events: EngineEvent[] = [];
    const outcome = await createEngine(ports).run(book, {
      interactive: false,
      values: { deploy: { token: secret } },
      onEvent: (event) => events.push(event),
    });
    expect(outcome.failed?.reason).toBe('threw: Error: bad token *** for {"token":"***"}');
    const state = await ports.repository.loadRun({ workflowName: WORKFLOW, runId: outcome.runId });
    expect(state?.attempts[0]?.exception).toMatch(
      /^Error: bad token \*\*\* for \{"token":"\*\*\*"\}\n {4}at /,
    );
    for (const text of [JSON.stringify(state), JSON.stringify(events)]) {
      expect(text).not.toContain('multi');
      expect(text).not.toContain('line-secret');
    }
  });
});
