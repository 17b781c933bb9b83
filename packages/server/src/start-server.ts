import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Runbook } from '@playbook/domain';
import type { RunHistory } from '@playbook/engine';
import { createAccessToken } from './access-token.js';
import { createApp } from './create-app.js';
import { ServeError } from './serve-error.js';

/** The default port of `playbook serve`. */
export const DEFAULT_PORT = 4477;
/** The default address: this machine only. */
export const DEFAULT_HOST = '127.0.0.1';

/** How to serve the web view. */
export interface ServeOptions {
  /** The history's read port. */
  readonly history: RunHistory;
  /** Runbooks to draw their workflows' graphs with (edges, names, node kinds), matched by title. */
  readonly runbooks?: readonly Runbook[];
  /** Address to listen on (default 127.0.0.1). Any other than a loopback one requires `tls`. */
  readonly host?: string;
  /** Port to listen on (default 4477; 0 picks a free one). */
  readonly port?: number;
  /** The access token (default: a fresh random one). */
  readonly token?: string;
  /** Certificate and key (PEM) to speak HTTPS. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Milliseconds between two looks at the history for a live page (default 1000). */
  readonly pollMs?: number;
  /** Told of an error that reached a user as a 500 page. */
  readonly onError?: (error: unknown) => void;
}

/** A running web view. */
export interface RunningServer {
  /** The address to open, token included: what `playbook serve` prints. */
  readonly url: string;
  /** The address without the token. */
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  /** Stops listening, ends live pages' streams and closes every connection. */
  close(): Promise<void>;
}

/** Whether `host` names this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(?:\.\d{1,3}){3}$/.test(bare);
}

/**
 * Starts the web view of `options.history`. Off the loopback address it must speak HTTPS: the token would
 * otherwise cross the network in clear. Rejects with a `ServeError` when it cannot listen.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  if (options.tls === undefined && !isLoopbackHost(host)) {
    throw new ServeError(
      `serving on ${host} needs --tls-cert and --tls-key: the access token and the history would cross the network in clear`,
      'TLS_REQUIRED',
    );
  }
  const token = options.token ?? createAccessToken();
  const shutdown = new AbortController();
  const app = createApp({
    history: options.history,
    token,
    shutdown: shutdown.signal,
    secure: options.tls !== undefined,
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    ...(options.runbooks === undefined ? {} : { runbooks: options.runbooks }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  });
  const server = createAdaptorServer({
    fetch: app.fetch,
    overrideGlobalObjects: false,
    ...(options.tls === undefined
      ? {}
      : {
          createServer: createHttpsServer,
          serverOptions: { cert: options.tls.cert, key: options.tls.key },
        }),
  });

  const requestedPort = options.port ?? DEFAULT_PORT;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => reject(listenError(error, host, requestedPort));
    server.once('error', failed);
    server.listen(requestedPort, host, () => {
      server.off('error', failed);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const origin = `${options.tls === undefined ? 'http' : 'https'}://${shownHost}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        shutdown.abort();
        server.close(() => resolve());
        // Keep-alive sockets and event streams would hold `close` open until they time out.
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE')
    return new ServeError(`port ${port} on ${host} is in use: choose another with --port`, 'ADDRESS_IN_USE', {
      cause: error,
    });
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EACCES')
    return new ServeError(`cannot listen on ${host} port ${port} (${error.code})`, 'ADDRESS_UNAVAILABLE', {
      cause: error,
    });
  return error;
}
