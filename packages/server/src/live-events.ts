import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { pageVersion } from './page-version.js';
import type { PageContent } from './pages/layout.js';

/** How a live page's event stream behaves. */
export interface LiveOptions {
  /** Milliseconds between two looks at the history. */
  readonly pollMs: number;
  /** Aborted when the server stops: every stream ends, so closing the server never waits on an open page. */
  readonly shutdown: AbortSignal;
}

/** Milliseconds between two keep-alive comments, so proxies and browsers do not drop a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

/**
 * The event stream of one open page: it renders the page from the history every `pollMs` and sends it as a
 * `page` event whenever it differs from what the page shows (`version`, the fingerprint the page was served
 * with). Polling the read port is what keeps the server read-only and storage-agnostic: SQLite and PostgreSQL
 * histories are written by other processes, which tell nobody.
 */
export function liveEvents(
  c: Context,
  render: () => Promise<PageContent>,
  version: string,
  options: LiveOptions,
): Response {
  return streamSSE(c, async (stream) => {
    const stop = new AbortController();
    const end = () => stop.abort();
    options.shutdown.addEventListener('abort', end, { once: true });
    stream.onAbort(end);
    let shown = version;
    let quietSince = 0;
    try {
      // A retry of a few seconds: a browser reconnects by itself after a restart of the server.
      await stream.writeSSE({ event: 'hello', data: '', retry: 3000 });
      while (!stop.signal.aborted) {
        const main = (await render()).main.text;
        const current = pageVersion(main);
        quietSince += options.pollMs;
        if (current !== shown) {
          shown = current;
          quietSince = 0;
          await stream.writeSSE({ event: 'page', data: main });
        } else if (quietSince >= KEEP_ALIVE_MS) {
          quietSince = 0;
          await stream.write(': keep-alive\n\n');
        }
        await sleep(options.pollMs, stop.signal);
      }
    } finally {
      options.shutdown.removeEventListener('abort', end);
    }
  });
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
