/** Why a DOT text could not be rendered. */
export type GraphvizErrorCode = 'INVALID_DOT' | 'RENDER_FAILED';

/**
 * Rendering failed: Graphviz rejected the DOT (`INVALID_DOT`), or the WASM modules or the font could not be
 * loaded, or Graphviz crashed inside its WASM module even on a fresh instance (`RENDER_FAILED`).
 */
export class GraphvizError extends Error {
  override readonly name = 'GraphvizError';
  readonly code: GraphvizErrorCode;
  readonly format: 'svg' | 'png';

  constructor(
    code: GraphvizErrorCode,
    format: 'svg' | 'png',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.format = format;
  }
}
