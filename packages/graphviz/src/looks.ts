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
