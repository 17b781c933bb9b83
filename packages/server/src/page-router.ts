import type { Runbook } from '@playbook/domain';
import type { RunHistory } from '@playbook/engine';
import type { DagRenderer } from './dag-svg.js';
import type { PageContent } from './pages/layout.js';
import { runPage } from './pages/run-page.js';
import { runsPage } from './pages/runs-page.js';
import { workflowsPage } from './pages/workflows-page.js';

/** What pages are made from: the history's read port, the graph drawer, and the runbooks given, by title. */
export interface PageSources {
  readonly history: RunHistory;
  readonly dags: DagRenderer;
  readonly runbooks: ReadonlyMap<string, Runbook>;
}

const WORKFLOW = /^\/workflows\/([^/]+)$/;
const RUN = /^\/workflows\/([^/]+)\/runs\/([1-9]\d{0,15})$/;

/**
 * The page a path names, as a function that renders it from the history now: a request renders it once, a live
 * page's event stream again each time it looks for changes. Undefined for a path that names no page.
 */
export function resolvePage(sources: PageSources, url: URL): (() => Promise<PageContent>) | undefined {
  const { history, dags, runbooks } = sources;
  const path = url.pathname;
  if (path === '/') return () => workflowsPage(history);
  const workflow = WORKFLOW.exec(path);
  if (workflow !== null) {
    const name = decodeSegment(workflow[1]!);
    if (name === undefined) return undefined;
    const status = url.searchParams.get('status') ?? undefined;
    const page = Number.parseInt(url.searchParams.get('page') ?? '1', 10);
    return () =>
      runsPage(history, name, {
        status: status === '' ? undefined : status,
        page: Number.isNaN(page) ? 1 : page,
      });
  }
  const run = RUN.exec(path);
  if (run !== null) {
    const name = decodeSegment(run[1]!);
    const runId = Number(run[2]);
    if (name === undefined || !Number.isSafeInteger(runId)) return undefined;
    return () => runPage(history, dags, name, runId, runbooks.get(name));
  }
  return undefined;
}

/** A path segment decoded, or undefined when it is not valid percent-encoding. */
function decodeSegment(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
