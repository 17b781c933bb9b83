import type { Runbook, RunbookNode } from '@playbook/domain';
import { type NodeRunStatus, renderDot, toDot } from '@playbook/graphviz';
import { showControls } from './escape-html.js';
import type { RunReport } from './report-schema.js';

/**
 * The report's nodes as a runbook for `toDot`. A node the report knows only by id (no runbook at hand, or one
 * that has since lost it) is drawn as a box without edges: its status still shows.
 */
function graphOf(report: RunReport): { runbook: Runbook; statuses: Map<string, NodeRunStatus> } {
  const known = new Set(report.nodes.map((node) => node.id));
  const nodes = report.nodes.map((node): RunbookNode => {
    const base = {
      id: node.id,
      name: node.name,
      dependsOn: node.dependsOn.filter((id) => known.has(id)),
      repeatable: false,
      skippable: false,
      critical: node.critical,
    };
    if (node.type === 'Manual') return { ...base, type: 'Manual', prompt: '' };
    if (node.type === 'Command') return { ...base, type: 'Command', commandName: '' };
    return { ...base, type: 'Function', functionName: '', functionParams: {} };
  });
  const statuses = new Map(
    report.nodes.map((node) => [
      node.id,
      { status: node.status, attempts: node.attempts, durationMs: node.durationMs },
    ]),
  );
  return {
    runbook: {
      meta: { title: report.runbook.title, description: '', version: '', author: '', createdAt: '' },
      nodes,
    },
    statuses,
  };
}

/**
 * Graphviz's SVG made fit to sit inside an HTML page: no XML prolog, DOCTYPE or comments (Graphviz writes the
 * title and ids into comments). Every text in it was escaped by Graphviz, and control characters were replaced
 * by `toDot`.
 */
export function inlineSvg(svg: string): string {
  const start = svg.indexOf('<svg');
  if (start < 0) throw new Error('Graphviz returned no <svg> element');
  // `toDot` replaces C0 controls; bidi overrides and C1 controls are shown here, as everywhere in the page.
  // The xmlns attributes go too: the HTML parser puts <svg> in its namespace by itself, and the page then names
  // no address at all.
  return showControls(
    svg
      .slice(start)
      .replace(/<!--[\s\S]*?-->\n?/g, '')
      .replace(/ xmlns(?::xlink)?="[^"]*"/g, '')
      .trim(),
  );
}

/**
 * The run's DAG as an inline `<svg>`, each node coloured by its status (SPEC §6). Laid out by the WebAssembly
 * build of Graphviz in @playbook/graphviz: no `dot` program needed, and nothing outside the page.
 */
export async function renderDagSvg(report: RunReport): Promise<string> {
  if (report.nodes.length === 0) return '';
  const { runbook, statuses } = graphOf(report);
  const dot = toDot(runbook, { statuses, runId: report.runId });
  return inlineSvg(new TextDecoder().decode(await renderDot(dot, 'svg')));
}
