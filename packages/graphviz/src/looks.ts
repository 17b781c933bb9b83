import type { NodeStatus, NodeType } from '@playbook/domain';

/** How a node type is drawn (SPEC §6). */
export interface TypeLook {
  readonly shape: string;
  readonly fillcolor: string;
}

/** How a status is drawn in the run overlay: it replaces the fill and adds a line style, keeping the shape. */
export interface StatusLook {
  readonly fillcolor: string;
  /** Graphviz `style` value; always includes `filled`. */
  readonly style: string;
  /** What the legend and docs say the look means. */
  readonly meaning: string;
}

export const TYPE_LOOKS: Readonly<Record<NodeType, TypeLook>> = {
  Manual: { shape: 'ellipse', fillcolor: 'lightblue' },
  Function: { shape: 'box', fillcolor: 'lightgreen' },
  Command: { shape: 'hexagon', fillcolor: 'lightyellow' },
};

// Fills are X11 colour names so the DOT stays readable. Each status has its own fill, and all but ok/nok their
// own line style; the label also names the status, so the looks stay distinct in greyscale print too.
// Critical nodes keep their red 2-pixel border over any of these.
export const STATUS_LOOKS: Readonly<Record<NodeStatus, StatusLook>> = {
  ok: { fillcolor: 'palegreen', style: 'filled', meaning: 'ended ok' },
  nok: { fillcolor: 'salmon', style: 'filled', meaning: 'ended nok' },
  skipped: { fillcolor: 'lightgrey', style: 'filled,dotted', meaning: 'skipped by the operator' },
  running: { fillcolor: 'gold', style: 'filled,bold', meaning: 'attempt in progress' },
  pending: { fillcolor: 'white', style: 'filled,dashed', meaning: 'not started yet' },
};

/** The border of a critical node (SPEC §6: 2 pixels, red). */
export const CRITICAL_BORDER = { penwidth: 2, color: 'red' } as const;

/**
 * Graphviz knows the text metrics of DejaVu Sans, and PNG rendering loads that very font, so the boxes that
 * layout computes fit the text that is drawn.
 */
export const DOT_FONT = 'DejaVu Sans';

/** A node with a `when` condition: a double outline, and its condition under its name. */
export const CONDITION_LOOK = { peripheries: 2, prefix: 'when: ', maxLength: 40 } as const;

/** How the edges into a node with `run_if = "failure"` or `"always"` are drawn (its `success` edges are plain). */
export const RUN_IF_EDGE_LOOKS = {
  failure: {
    style: 'dashed',
    color: 'firebrick',
    label: 'on failure',
    meaning:
      'red dashed arrows ("on failure"): runs when a step it depends on ended nok (run_if = "failure")',
  },
  always: {
    style: 'dashed',
    color: 'grey40',
    label: 'always',
    meaning:
      'grey dashed arrows ("always"): runs once the steps it depends on have ended (run_if = "always")',
  },
} as const;
