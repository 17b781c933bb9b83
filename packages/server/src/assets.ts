// The page's style, script and icon, served by the server itself: the Content-Security-Policy allows nothing
// inline and nothing from elsewhere, and a page needs nothing from the network.

/** Where each asset is served. */
export const ASSET_PATHS = {
  css: '/assets/serve.css',
  script: '/assets/live.js',
  icon: '/assets/icon.svg',
} as const;

// Live updates: the page opens an event stream for its own path; each `page` event carries the page's content
// as the server rendered (and escaped) it, which replaces <main> — no reload, and folded logs stay as they were.
const SCRIPT = `'use strict';
(() => {
  const main = document.getElementById('live');
  const state = document.getElementById('live-state');
  if (main === null || typeof EventSource === 'undefined') return;
  const query = new URLSearchParams({ page: main.dataset.live || '/', version: main.dataset.version || '' });
  const source = new EventSource('/events?' + query.toString());
  const show = (name, title) => {
    if (state === null) return;
    state.dataset.state = name;
    state.title = title;
  };
  source.addEventListener('open', () => show('on', 'Live: this page follows the history'));
  source.addEventListener('error', () => show('off', 'Not live: reconnecting to the server'));
  source.addEventListener('page', (event) => {
    const open = new Set();
    for (const details of main.querySelectorAll('details[open]')) open.add(details.id);
    main.innerHTML = event.data;
    for (const id of open) {
      const details = document.getElementById(id);
      if (details !== null) details.open = true;
    }
    document.dispatchEvent(new CustomEvent('playbook:updated'));
  });
})();
`;

const CSS = `:root { color-scheme: light dark; --ok: #1a7f37; --nok: #cf222e; --running: #9a6700; --muted: #6e7781;
  --line: #d0d7de; --bg-alt: rgba(127,127,127,.08); font: 14px/1.45 system-ui, sans-serif; }
body { margin: 0; }
header { display: flex; justify-content: space-between; align-items: center; padding: .6rem 1.2rem;
  border-bottom: 1px solid var(--line); }
header .home { font-weight: 600; }
header .sep { color: var(--muted); }
.live-state { font-size: .8rem; color: var(--muted); }
.live-state[data-state="on"]::before { content: "● "; color: var(--ok); }
.live-state[data-state="off"]::before { content: "○ "; color: var(--nok); }
main { padding: 1rem 1.2rem 3rem; max-width: 80rem; }
h1 { font-size: 1.4rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
a { color: #0969da; }
table { border-collapse: collapse; }
table.list th, table.list td { padding: .3rem .7rem; border-bottom: 1px solid var(--line); text-align: left; }
table.list tbody tr:hover { background: var(--bg-alt); }
table.fields th { text-align: left; padding: .2rem .8rem .2rem 0; font-weight: 500; vertical-align: top; }
.num { text-align: right !important; font-variant-numeric: tabular-nums; }
.zero, .none, .note, .count { color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.status { display: inline-block; padding: 0 .45rem; border-radius: 1rem; font-size: .8rem; font-weight: 600;
  border: 1px solid currentColor; }
.status-ok { color: var(--ok); }
.status-nok, .status-aborted { color: var(--nok); }
.status-running, .status-waiting { color: var(--running); }
.status-skipped, .status-pending { color: var(--muted); }
.filters { display: flex; gap: .8rem; margin-bottom: 1rem; flex-wrap: wrap; }
.filter { text-decoration: none; padding: .15rem .5rem; border-radius: .4rem; }
.filter.current { background: var(--bg-alt); outline: 1px solid var(--line); }
.pager { margin-top: 1rem; display: flex; gap: 1rem; }
dl.summary, dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dl.summary dt, dl.facts dt { color: var(--muted); }
dl dd { margin: 0; }
.run-id { color: var(--muted); font-weight: 400; }
.dag { overflow: auto; max-width: 100%; border: 1px solid var(--line); border-radius: .4rem; padding: .5rem; }
.dag svg { max-width: 100%; height: auto; }
ol.attempts { list-style: none; padding: 0; margin: 0; }
li.attempt { border: 1px solid var(--line); border-radius: .4rem; padding: .6rem .8rem; margin-bottom: .6rem; }
.attempt-head { margin-bottom: .3rem; }
.attempt-no, .duration { color: var(--muted); }
pre { margin: .2rem 0; padding: .4rem .6rem; background: var(--bg-alt); border-radius: .3rem; overflow: auto;
  max-height: 30rem; white-space: pre-wrap; word-break: break-word; }
pre.stderr, pre.exception { border-left: 3px solid var(--nok); }
pre .stderr { color: var(--nok); }
pre .time { color: var(--muted); }
nav.report-links { margin: .6rem 0 0; }
details.log summary { cursor: pointer; color: var(--muted); }
.secret { font-family: monospace; color: var(--muted); }
caption { text-align: left; color: var(--muted); }
`;

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1a7f37"/><path d="M4 8l3 3 5-6" stroke="#fff" stroke-width="2" fill="none"/></svg>
`;

/** Each asset's body and content type, by path. */
export const ASSETS: ReadonlyMap<string, { readonly body: string; readonly type: string }> = new Map([
  [ASSET_PATHS.css, { body: CSS, type: 'text/css; charset=utf-8' }],
  [ASSET_PATHS.script, { body: SCRIPT, type: 'text/javascript; charset=utf-8' }],
  [ASSET_PATHS.icon, { body: ICON, type: 'image/svg+xml' }],
]);
