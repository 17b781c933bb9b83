/** Why a DOT text could not be rendered. */
export type GraphvizErrorCode = 'INVALID_DOT' | 'RENDER_FAILED';

/** Rendering failed: Graphviz rejected the DOT, or the WASM modules or the font could not be loaded. */
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
