import { createHash } from 'node:crypto';
import type { Runbook } from '@playbook/domain';
import type { RunHistory } from '@playbook/engine';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { isAccessToken } from './access-token.js';
import { ASSETS } from './assets.js';
import { DagRenderer } from './dag-svg.js';
import { html } from './html.js';
import { liveEvents } from './live-events.js';
import { resolvePage } from './page-router.js';
import { renderDocument } from './pages/layout.js';
import { notFoundPage } from './pages/not-found.js';
import { REPORT_CONTENT_SECURITY_POLICY, reportAnswer } from './report-route.js';
import { SECURITY_HEADERS } from './security-headers.js';

/** What the web view is made of. */
export interface AppOptions {
  /** The history's read port: all the server can reach, so it cannot change history even by mistake. */
  readonly history: RunHistory;
  /** Runbooks whose graphs the history cannot draw alone (it keeps node ids, not edges), matched by title. */
  readonly runbooks?: readonly Runbook[];
  /** The secret a request must carry (in the first URL, then as a cookie). */
  readonly token: string;
  /** Milliseconds between two looks at the history for a live page (default 1000). */
  readonly pollMs?: number;
  /** Aborted when the server stops: live pages' event streams end. */
  readonly shutdown?: AbortSignal;
  /** Whether the server speaks HTTPS: the cookie is then `Secure`. */
  readonly secure?: boolean;
  /** Told of an error that reached the user as a 500 page (the CLI prints it). */
  readonly onError?: (error: unknown) => void;
  /** The time a report says it was made (default: the machine's clock). */
  readonly now?: () => Date;
}

/**
 * The web view as a Hono app: every route reads the history and answers HTML, an asset or an event stream; no
 * route writes. Every answer carries the security headers; every request must carry the token.
 */
export function createApp(options: AppOptions): Hono {
  const { history, token } = options;
  const runbooks = new Map((options.runbooks ?? []).map((runbook) => [runbook.meta.title, runbook]));
  const sources = { history, dags: new DagRenderer(), runbooks };
  const shutdown = options.shutdown ?? new AbortController().signal;
  const pollMs = options.pollMs ?? 1000;
  const now = options.now ?? (() => new Date());
  // Named after the token: two servers on one host (other ports, other users) never overwrite each other's.
  const cookie = `playbook_${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
  const app = new Hono();

  app.use('*', async (c, next) => {
    await next();
    // A route with a policy of its own (the report page) keeps it.
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      if (!c.res.headers.has(name)) c.res.headers.set(name, value);
  });

  app.use('*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      return c.text('This server only reads the run history.\n', 405, { Allow: 'GET, HEAD' });
    }
    const url = new URL(c.req.url);
    const fromQuery = url.searchParams.get('token');
    if (fromQuery !== null) {
      if (!isAccessToken(fromQuery, token)) return denied(c, 403);
      // The token moves into a cookie and out of the address bar, the history and any link's referrer.
      setCookie(c, cookie, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'Strict',
        ...(options.secure === true ? { secure: true } : {}),
      });
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const bearer = /^Bearer (.+)$/.exec(c.req.header('Authorization') ?? '')?.[1];
    const given = bearer ?? getCookie(c, cookie);
    if (given === undefined) return denied(c, 401);
    if (!isAccessToken(given, token)) return denied(c, 403);
    return next();
  });

  app.get('/assets/:name', (c) => {
    const asset = ASSETS.get(c.req.path);
    if (asset === undefined) return c.text('Not found\n', 404);
    return c.body(asset.body, 200, { 'Content-Type': asset.type });
  });

  app.get('/events', (c) => {
    const page = c.req.query('page') ?? '/';
    const url = new URL(page.startsWith('/') ? page : `/${page}`, 'http://localhost');
    const render = resolvePage(sources, url);
    if (render === undefined) return c.text('No such page\n', 404);
    return liveEvents(c, render, c.req.query('version') ?? '', { pollMs, shutdown });
  });

  app.get('/workflows/:workflow/runs/:run/report', async (c, next) => {
    const answer = await reportAnswer(history, runbooks, new URL(c.req.url), now);
    if (answer === undefined) return next();
    const headers: Record<string, string> = { 'Content-Type': answer.type };
    if (answer.status === 200 && answer.type.startsWith('text/html'))
      headers['Content-Security-Policy'] = REPORT_CONTENT_SECURITY_POLICY;
    return c.body(answer.body, answer.status, headers);
  });

  app.get('*', async (c) => {
    const url = new URL(c.req.url);
    const render = resolvePage(sources, url);
    const page = render === undefined ? notFoundPage('There is no such page.') : await render();
    return c.html(renderDocument(page, `${url.pathname}${url.search}`), page.status ?? 200);
  });

  app.onError((error, c) => {
    options.onError?.(error);
    const message = error instanceof Error ? error.message : String(error);
    return c.html(
      html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error · Playbook</title></head><body><h1>The history could not be read</h1><p>${message}</p></body></html>`
        .text,
      500,
    );
  });

  return app;
}

/** 401 without a token, 403 with a wrong one: a short page that says where the right address is. */
function denied(c: import('hono').Context, status: 401 | 403): Response {
  const why = status === 401 ? 'This page needs the access token.' : 'This access token is not valid.';
  return c.html(
    html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Access token needed · Playbook</title></head><body><h1>${why}</h1><p>Open the address that <code>playbook serve</code> printed when it started: it carries the token.</p></body></html>`
      .text,
    status,
  );
}
