import { InMemoryRunRepository } from '@playbook/engine/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { addRun } from '../test/history-builder.js';
import { ServeError } from './serve-error.js';
import { isLoopbackHost, type RunningServer, startServer } from './start-server.js';

const servers: RunningServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(history: InMemoryRunRepository): Promise<RunningServer> {
  const server = await startServer({ history, port: 0, pollMs: 20 });
  servers.push(server);
  return server;
}

/** Reads an event stream until `until` matches what arrived, or fails after a few seconds. */
async function readEvents(response: Response, until: RegExp): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + 5000;
  while (!until.test(text)) {
    if (Date.now() > deadline) throw new Error(`no ${until} in:\n${text}`);
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

describe('startServer', () => {
  it('listens on localhost with a random token in the printed address', async () => {
    const history = new InMemoryRunRepository();
    const server = await serve(history);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
    expect((await fetch(server.origin)).status).toBe(401);
    const other = await serve(history);
    expect(other.token).not.toBe(server.token);
  });

  it('refuses another address without TLS, whatever else is asked', async () => {
    const history = new InMemoryRunRepository();
    await expect(startServer({ history, host: '0.0.0.0', port: 0 })).rejects.toMatchObject({
      code: 'TLS_REQUIRED',
    });
    await expect(startServer({ history, host: '::', port: 0 })).rejects.toBeInstanceOf(ServeError);
  });

  it('says which port is in use', async () => {
    const history = new InMemoryRunRepository();
    const server = await serve(history);
    await expect(startServer({ history, port: server.port })).rejects.toThrow(
      `port ${server.port} on 127.0.0.1 is in use`,
    );
  });

  it('sends a live page its new content when the history changes, and nothing while it does not', async () => {
    const history = new InMemoryRunRepository();
    const run = await addRun(history, 'Deploy', ['build'], [], 'running');
    const server = await serve(history);
    const headers = { Authorization: `Bearer ${server.token}` };
    const page = await (await fetch(`${server.origin}/workflows/Deploy/runs/1`, { headers })).text();
    const version = /data-version="([^"]+)"/.exec(page)![1]!;

    const events = await fetch(
      `${server.origin}/events?page=${encodeURIComponent('/workflows/Deploy/runs/1')}&version=${version}`,
      { headers },
    );
    expect(events.headers.get('Content-Type')).toMatch(/^text\/event-stream/);
    const started = history.startAttempt({
      workflowName: 'Deploy',
      runId: run.runId,
      nodeId: 'build',
      startTime: '2025-05-03T13:00:00.000Z',
      status: 'running',
    });
    const text = await readEvents(events, /event: page\n[\s\S]*data-node="build"[\s\S]*status-running/);
    expect(text.match(/event: page/g)).toHaveLength(1);
    await started;
  });

  it('ends open event streams when it closes, so stopping never hangs on an open page', async () => {
    const history = new InMemoryRunRepository();
    await addRun(history, 'Deploy', ['build'], [], 'running');
    const server = await startServer({ history, port: 0, pollMs: 20 });
    const events = await fetch(`${server.origin}/events?page=/`, {
      headers: { Authorization: `Bearer ${server.token}` },
    });
    const reading = events.text().catch(() => 'closed');
    const started = Date.now();
    await server.close();
    await reading;
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('isLoopbackHost', () => {
  it('knows this machine from the network', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.org', '128.0.0.1'])
      expect(isLoopbackHost(host)).toBe(false);
  });
});
