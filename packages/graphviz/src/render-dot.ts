import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { GraphvizError } from './graphviz-error.js';
import { DOT_FONT } from './looks.js';

/** Image formats {@link renderDot} produces. */
export type RenderFormat = 'svg' | 'png';

/** Options of {@link renderDot}. */
export interface RenderOptions {
  /** PNG only: pixels per SVG pixel (Graphviz points × 4/3). Default 2, sharp on high-density screens. */
  readonly scale?: number;
  /** PNG only: extra TrueType/OpenType fonts, e.g. for scripts DejaVu Sans lacks (CJK, emoji). */
  readonly fonts?: readonly Uint8Array[];
}

// The narrow slices of the two WASM libraries used here; their own types stay out of this package's API.
interface GraphvizLayout {
  layout(dot: string, format: 'svg', engine: 'dot'): string;
}
interface ResvgImage {
  readonly width: number;
  readonly height: number;
  asPng(): Uint8Array;
  free(): void;
}
interface ResvgModule {
  initWasm(module: Uint8Array): Promise<void>;
  Resvg: new (
    svg: string,
    options: {
      font: {
        fontBuffers: Uint8Array[];
        defaultFontFamily: string;
        sansSerifFamily: string;
        serifFamily: string;
      };
      fitTo: { mode: 'zoom'; value: number };
      background: string;
    },
  ) => { render(): ResvgImage; free(): void };
}

const require = createRequire(import.meta.url);

// Loaded once per process and only when something is rendered: the two WASM binaries are several MB.
let graphviz: Promise<GraphvizLayout> | undefined;
let resvg: Promise<{ module: ResvgModule; font: Uint8Array }> | undefined;

function loadGraphviz(): Promise<GraphvizLayout> {
  graphviz ??= import('@hpcc-js/wasm-graphviz').then(({ Graphviz }) => Graphviz.load());
  graphviz.catch(() => {
    graphviz = undefined;
  });
  return graphviz;
}

function loadResvg(): Promise<{ module: ResvgModule; font: Uint8Array }> {
  resvg ??= (async () => {
    const module = (await import('@resvg/resvg-wasm')) as unknown as ResvgModule;
    const [wasm, font] = await Promise.all([
      readFile(require.resolve('@resvg/resvg-wasm/index_bg.wasm')),
      readFile(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
    ]);
    await module.initWasm(wasm);
    return { module, font };
  })();
  resvg.catch(() => {
    resvg = undefined;
  });
  return resvg;
}

/**
 * Graphviz writes the font name as given; a viewer without DejaVu Sans would fall back to its default serif
 * font, so the SVG names Verdana (near-identical metrics) and the generic family after it.
 */
function withFontFallback(svg: string): string {
  return svg.replaceAll(`font-family="${DOT_FONT}"`, `font-family="${DOT_FONT},Verdana,sans-serif"`);
}

async function layoutSvg(dot: string, format: RenderFormat): Promise<string> {
  let engine: GraphvizLayout;
  try {
    engine = await loadGraphviz();
  } catch (cause) {
    throw new GraphvizError(
      'RENDER_FAILED',
      format,
      `could not load the Graphviz WASM module: ${String(cause)}`,
      {
        cause,
      },
    );
  }
  try {
    return withFontFallback(engine.layout(dot, 'svg', 'dot'));
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new GraphvizError('INVALID_DOT', format, `Graphviz rejected the DOT: ${detail.trim()}`, { cause });
  }
}

async function rasterise(svg: string, options: RenderOptions): Promise<Uint8Array> {
  let loaded: { module: ResvgModule; font: Uint8Array };
  try {
    loaded = await loadResvg();
  } catch (cause) {
    throw new GraphvizError('RENDER_FAILED', 'png', `could not load resvg or its font: ${String(cause)}`, {
      cause,
    });
  }
  const renderer = new loaded.module.Resvg(svg, {
    font: {
      fontBuffers: [loaded.font, ...(options.fonts ?? [])],
      defaultFontFamily: DOT_FONT,
      sansSerifFamily: DOT_FONT,
      serifFamily: DOT_FONT,
    },
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    background: 'white',
  });
  try {
    const image = renderer.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    renderer.free();
  }
}

/**
 * Renders DOT to SVG or PNG with WebAssembly builds of Graphviz and resvg, loaded on first use: no system
 * Graphviz needed. PNG text is drawn in DejaVu Sans, shipped as a dependency.
 */
export async function renderDot(
  dot: string,
  format: RenderFormat,
  options: RenderOptions = {},
): Promise<Uint8Array> {
  const svg = await layoutSvg(dot, format);
  if (format === 'svg') return new TextEncoder().encode(svg);
  return rasterise(svg, options);
}
