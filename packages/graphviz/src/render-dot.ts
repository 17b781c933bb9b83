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
interface GraphvizClass {
  load(): Promise<GraphvizLayout>;
  unload(): void;
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

interface LoadedGraphviz {
  readonly Graphviz: GraphvizClass;
  readonly instance: GraphvizLayout;
}

// Loaded once per process and only when something is rendered: the two WASM binaries are several MB. One
// Graphviz instance serves every render: its memory stays flat over thousands of layouts (no leak to reset
// every N renders), and `layout` is synchronous, so concurrent `renderDot` calls never interleave inside it.
let graphviz: Promise<LoadedGraphviz> | undefined;
let resvg: Promise<{ module: ResvgModule; font: Uint8Array }> | undefined;

function loadGraphviz(): Promise<LoadedGraphviz> {
  graphviz ??= import('@hpcc-js/wasm-graphviz').then(async ({ Graphviz }) => ({
    Graphviz,
    instance: await Graphviz.load(),
  }));
  graphviz.catch(() => {
    graphviz = undefined;
  });
  return graphviz;
}

/**
 * The whole message of a WebAssembly trap (V8's RuntimeError texts) or of an Emscripten abort: Graphviz crashed
 * inside the module, as opposed to reporting a DOT error. @hpcc-js/wasm-graphviz rethrows both as plain
 * `Error`s, so the message is all there is to tell them apart; anchored, so a syntax error quoting such words
 * from the DOT does not pass for one.
 */
const WASM_TRAP =
  /^(?:table index is out of bounds|null function or function signature mismatch|memory access out of bounds|unreachable|(?:integer )?divide by zero|remainder by zero|integer overflow|float unrepresentable in integer range|Maximum call stack size exceeded|Aborted\(.*\))$/s;

/**
 * A trap stops the module mid-call: whatever the C code was doing (its heap, its stack pointer) is left as it
 * was, and the memory corruption that caused it may still be there. @hpcc-js/wasm-graphviz unloads its own
 * cached module after any failed layout for that reason (and reports Graphviz's last error message in place of
 * the trap's when there is one); the instance cached here goes too, or every later render in the process would
 * keep running on a damaged one. Reloading costs some 20 ms, once per failed render.
 */
function discardGraphviz(broken: Promise<LoadedGraphviz>, loaded: LoadedGraphviz): void {
  if (graphviz === broken) graphviz = undefined;
  loaded.Graphviz.unload();
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

/**
 * Lays out on the shared instance. After a trap, the layout is tried once more on a fresh instance: a trap can
 * come from the state an earlier layout left (Graphviz 16's WASM build traps on some inputs only once its heap
 * has been used); one that happens on a fresh instance too is reported as `RENDER_FAILED`.
 */
async function layoutSvg(dot: string, format: RenderFormat): Promise<string> {
  let traps = 0;
  for (;;) {
    const pending = loadGraphviz();
    let loaded: LoadedGraphviz;
    try {
      loaded = await pending;
    } catch (cause) {
      throw new GraphvizError(
        'RENDER_FAILED',
        format,
        `could not load the Graphviz WASM module: ${String(cause)}`,
        { cause },
      );
    }
    // A concurrent render trapped on this instance while we waited for it: take the fresh one.
    if (graphviz !== pending) continue;
    try {
      return withFontFallback(loaded.instance.layout(dot, 'svg', 'dot'));
    } catch (cause) {
      const detail = (cause instanceof Error ? cause.message : String(cause)).trim();
      discardGraphviz(pending, loaded);
      if (!WASM_TRAP.test(detail)) {
        throw new GraphvizError('INVALID_DOT', format, `Graphviz rejected the DOT: ${detail}`, { cause });
      }
      traps += 1;
      if (traps === 2) {
        throw new GraphvizError(
          'RENDER_FAILED',
          format,
          `Graphviz crashed laying out the graph (${detail}), also on a fresh instance`,
          { cause },
        );
      }
    }
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
