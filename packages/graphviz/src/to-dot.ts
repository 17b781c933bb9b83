import type { Runbook, RunbookNode } from '@playbook/domain';
import { formatDuration } from '@playbook/domain/text';
import { commentLines, quoteId, quoteLabel } from './dot-text.js';
import {
  CONDITION_LOOK,
  CRITICAL_BORDER,
  DOT_FONT,
  RUN_IF_EDGE_LOOKS,
  STATUS_LOOKS,
  TYPE_LOOKS,
} from './looks.js';
import { NODE_STATUS_NAMES, type NodeRunStatus } from './node-run-status.js';

/** Options of {@link toDot}. */
export interface ToDotOptions {
  /**
   * Status of each node in one run, by node id: turns on the status overlay and its legend. A node missing
   * from the map is drawn as `pending`.
   */
  readonly statuses?: ReadonlyMap<string, NodeRunStatus> | Readonly<Record<string, NodeRunStatus>>;
  /** The run the statuses come from; shown in the graph's title. */
  readonly runId?: number;
}

type Attributes = ReadonlyArray<readonly [name: string, value: string | number]>;

function attributeList(attributes: Attributes): string {
  return attributes.map(([name, value]) => `${name}=${value}`).join(', ');
}

function statusOf(options: ToDotOptions, nodeId: string): NodeRunStatus | undefined {
  const { statuses } = options;
  if (statuses === undefined) return undefined;
  if (statuses instanceof Map) return statuses.get(nodeId);
  const record = statuses as Readonly<Record<string, NodeRunStatus>>;
  // Own properties only: a node id such as `constructor` or `__proto__` must not find Object.prototype's.
  return Object.hasOwn(record, nodeId) ? record[nodeId] : undefined;
}

const PENDING: NodeRunStatus = { status: 'pending', attempts: 0, durationMs: null };

/** `ok · 2 attempts · 1.2s`: the status line under a node's name in the overlay. */
export function statusLine(run: NodeRunStatus): string {
  const parts: string[] = [run.status];
  if (run.attempts > 0) parts.push(`${run.attempts} ${run.attempts === 1 ? 'attempt' : 'attempts'}`);
  if (run.durationMs !== null) parts.push(formatDuration(run.durationMs));
  return parts.join(' · ');
}

/** `when: <expression>` under the name of a node with a condition, cut to a readable length. */
function conditionLine(node: RunbookNode): string {
  if (node.when === undefined) return '';
  const text = node.when.replace(/\s+/g, ' ').trim();
  const cut =
    text.length > CONDITION_LOOK.maxLength ? `${text.slice(0, CONDITION_LOOK.maxLength - 1)}…` : text;
  return `\n${CONDITION_LOOK.prefix}${cut}`;
}

function nodeStatement(node: RunbookNode, run: NodeRunStatus | undefined): string {
  const type = TYPE_LOOKS[node.type];
  const name = node.name + conditionLine(node);
  const attributes: Array<readonly [string, string | number]> = [
    ['label', quoteLabel(run === undefined ? name : `${name}\n${statusLine(run)}`)],
    ['shape', type.shape],
  ];
  if (run === undefined) {
    attributes.push(['style', 'filled'], ['fillcolor', type.fillcolor]);
  } else {
    const look = STATUS_LOOKS[run.status];
    attributes.push(['style', quoteLabel(look.style)], ['fillcolor', look.fillcolor]);
  }
  if (node.critical)
    attributes.push(['penwidth', CRITICAL_BORDER.penwidth], ['color', CRITICAL_BORDER.color]);
  if (node.when !== undefined) attributes.push(['peripheries', CONDITION_LOOK.peripheries]);
  return `  ${quoteId(node.id)} [${attributeList(attributes)}];`;
}

/** Legend node ids that no runbook node id can take, even in a hand-built runbook. */
function legendIds(taken: ReadonlySet<string>): string[] {
  return NODE_STATUS_NAMES.map((status) => {
    let id = `legend:${status}`;
    while (taken.has(id)) id = `${id}'`;
    return id;
  });
}

function legend(taken: ReadonlySet<string>): string[] {
  const ids = legendIds(taken);
  const lines = [
    '',
    `  subgraph "cluster_legend" {`,
    `    label="Status";`,
    `    style="rounded,dashed";`,
    `    color=grey50;`,
  ];
  NODE_STATUS_NAMES.forEach((status, index) => {
    const look = STATUS_LOOKS[status];
    const attributes: Attributes = [
      ['label', quoteLabel(`${status}\n${look.meaning}`)],
      ['shape', 'box'],
      ['style', quoteLabel(look.style)],
      ['fillcolor', look.fillcolor],
    ];
    lines.push(`    ${quoteId(ids[index]!)} [${attributeList(attributes)}];`);
  });
  // Invisible edges stack the keys in a column beside the graph instead of a wide row above it.
  lines.push(`    ${ids.map(quoteId).join(' -> ')} [style=invis];`, '  }');
  return lines;
}

/**
 * Writes a runbook as Graphviz DOT (SPEC §6). Deterministic: the same runbook and options give the same text,
 * nodes and edges in declaration order. With `statuses`, nodes are drawn by their status in that run.
 */
export function toDot(runbook: Runbook, options: ToDotOptions = {}): string {
  const { meta, nodes } = runbook;
  const overlay = options.statuses !== undefined;
  const heading = options.runId === undefined ? meta.title : `${meta.title} · run ${options.runId}`;
  // The runbook's inputs under its title (never a value: a secret's default must not reach a drawing).
  const title = heading + inputsLine(runbook);
  const font = quoteLabel(DOT_FONT);

  const lines = [
    ...commentLines(meta.description),
    `digraph ${quoteId(meta.title)} {`,
    `  graph [label=${quoteLabel(title)}, labelloc=t, fontname=${font}];`,
    `  node [fontname=${font}];`,
    `  edge [fontname=${font}];`,
  ];
  if (nodes.length > 0) lines.push('');
  for (const node of nodes) {
    lines.push(nodeStatement(node, overlay ? (statusOf(options, node.id) ?? PENDING) : undefined));
  }
  // One push per line: spreading every edge into one push call overflows the stack past ~100k edges.
  if (nodes.some((node) => node.dependsOn.length > 0)) lines.push('');
  for (const node of nodes) {
    const look = node.runIf === undefined || node.runIf === 'success' ? '' : ` [${edgeLook(node.runIf)}]`;
    for (const dependency of node.dependsOn) {
      lines.push(`  ${quoteId(dependency)} -> ${quoteId(node.id)}${look};`);
    }
  }
  const taken = new Set(nodes.map((node) => node.id));
  if (nodes.some((node) => node.when !== undefined || (node.runIf ?? 'success') !== 'success')) {
    for (const line of conditionLegend(taken)) lines.push(line);
  }
  if (overlay) for (const line of legend(taken)) lines.push(line);
  lines.push('}', '');
  return lines.join('\n');
}

function edgeLook(runIf: 'failure' | 'always'): string {
  const look = RUN_IF_EDGE_LOOKS[runIf];
  return attributeList([
    ['style', look.style],
    ['color', look.color],
    ['fontcolor', look.color],
    ['label', quoteLabel(look.label)],
  ]);
}

/**
 * The key to `when` nodes and `run_if` edges, drawn only for a runbook that has them (a v1 runbook's DOT is
 * unchanged): one note, so the drawing needs no made-up nodes or edges.
 */
function conditionLegend(taken: ReadonlySet<string>): string[] {
  let id = 'legend:conditions';
  while (taken.has(id)) id = `${id}'`;
  const text = [
    `double outline ("${CONDITION_LOOK.prefix}…"): runs only when its condition holds`,
    RUN_IF_EDGE_LOOKS.failure.meaning,
    RUN_IF_EDGE_LOOKS.always.meaning,
  ];
  return [
    '',
    `  ${quoteId(id)} [${attributeList([
      ['label', quoteLabel(text.join('\n'))],
      ['shape', 'note'],
      ['style', 'filled'],
      ['fillcolor', 'white'],
      ['fontsize', 10],
    ])}];`,
  ];
}

/** `\ninputs: env (string), count (integer)` when the runbook declares inputs; empty otherwise. */
function inputsLine(runbook: Runbook): string {
  const inputs = runbook.inputs ?? [];
  if (inputs.length === 0) return '';
  const listed = inputs.map((input) => `${input.name} (${input.type}${input.secret ? ', secret' : ''})`);
  return `\ninputs: ${listed.join(', ')}`;
}
