import { formatDuration } from '@playbook/domain/text';
import { ASSET_PATHS } from '../assets.js';
import { type Html, type HtmlValue, html } from '../html.js';
import { pageVersion } from '../page-version.js';

/** What a page shows: its title, where it sits, and the part that live updates replace. */
export interface PageContent {
  readonly title: string;
  /** Links from the home page down to this one: label and href (none for the last). */
  readonly trail: ReadonlyArray<{ readonly label: string; readonly href?: string }>;
  readonly main: Html;
  /** HTTP status: 200, or 404 for something the history does not have. */
  readonly status?: 200 | 404;
}

/**
 * The whole document around a page's content. `livePath` is the page's own path and query: the script asks the
 * server for that page's content again whenever the history changes (see `live-events.ts`).
 */
export function renderDocument(page: PageContent, livePath: string): string {
  const main = page.main.text;
  const trail: HtmlValue[] = [];
  for (const step of page.trail) {
    trail.push(html` <span class="sep">›</span> `);
    trail.push(
      step.href === undefined
        ? html`<span>${step.label}</span>`
        : html`<a href="${step.href}">${step.label}</a>`,
    );
  }
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · Playbook</title>
<link rel="stylesheet" href="${ASSET_PATHS.css}">
<link rel="icon" href="${ASSET_PATHS.icon}">
<script src="${ASSET_PATHS.script}" defer></script>
</head>
<body>
<header><nav><a href="/" class="home">Playbook</a>${trail}</nav><span id="live-state" class="live-state" title="Live updates">live</span></header>
<main id="live" data-live="${livePath}" data-version="${pageVersion(main)}">${page.main}</main>
</body>
</html>
`.text;
}

/** A status as a coloured badge; the class names the status, the text says it (for greyscale and readers). */
export function statusBadge(status: string): Html {
  return html`<span class="status status-${status.replace(/[^a-z]/g, '')}">${status}</span>`;
}

/** An ISO-8601 UTC time, shorter: `2025-05-03 12:08:00Z`, with the exact value on hover. */
export function timeText(iso: string | null): Html {
  if (iso === null) return html`<span class="none">—</span>`;
  const short = iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return html`<time datetime="${iso}">${short}</time>`;
}

/** A duration in milliseconds as the CLI shows it, or a dash when unknown. */
export function durationText(ms: number | null): Html {
  return ms === null ? html`<span class="none">—</span>` : html`${formatDuration(ms)}`;
}

/** A path segment of a link: workflow names may hold any character. */
export function segment(text: string): string {
  return encodeURIComponent(text);
}

/** The path of a workflow's page. */
export function workflowPath(workflowName: string): string {
  return `/workflows/${segment(workflowName)}`;
}

/** The path of a run's page. */
export function runPath(workflowName: string, runId: number): string {
  return `${workflowPath(workflowName)}/runs/${runId}`;
}
