/**
 * Headless rendering: Vega-Lite spec -> Vega -> SVG with vega's own SVG renderer (no browser, no
 * canvas), then SVG -> PNG with @resvg/resvg-js (a prebuilt binary from an npm optional dependency).
 * vega and vega-lite are ESM-only: they load through a real dynamic import(), which plain Node runs
 * but jest's CommonJS runtime cannot, so tests exercise this file through the built CLI.
 */
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };

type ResvgModule = typeof import('@resvg/resvg-js');

export interface SvgRendering {
  svg: string;
  /** What vega-lite warned of while compiling and the errors vega logged while rendering. */
  warnings: string[];
}

/** XML 1.0 has no control characters but tab and line ends: a name holding one is drawn as its \uXXXX escape. */
function xmlText(svg: string): string {
  return svg.replace(
    /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Compiles a Vega-Lite spec and renders it to an SVG document. Vega's own warnings are not
 * collected: they only say that a panel has no data (an "infinite extent"), as when no model ran.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<SvgRendering> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const warnings: string[] = [];
  const collect = (_method: string, level: string, input: readonly unknown[]): void => {
    warnings.push(`${level} ${input.map(String).join(' ')}`);
  };
  const compiled = vegaLite.compile(spec, { logger: vega.logger(vega.Warn, undefined, collect) });
  const view = new vega.View(vega.parse(compiled.spec), {
    renderer: 'none',
    logger: vega.logger(vega.Error, undefined, collect),
  });
  try {
    return { svg: xmlText(await view.toSVG()), warnings };
  } finally {
    view.finalize();
  }
}

/** @resvg/resvg-js, or why it did not load (its platform binary may be missing). */
export function loadResvg(): ResvgModule | Error {
  try {
    return require('@resvg/resvg-js') as ResvgModule;
  } catch (err) {
    return err as Error;
  }
}

/** DejaVu Sans, regular and bold (vega draws titles bold), from the dejavu-fonts-ttf package. */
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => require.resolve(`dejavu-fonts-ttf/ttf/${f}`));

/**
 * Rasterises an SVG at twice its size with the packaged DejaVu Sans for every family, not the
 * system's fonts: a machine without fonts would get charts without text, and the same SVG gives
 * the same PNG on every machine.
 */
export function svgToPng(resvg: ResvgModule, svg: string): Buffer {
  const renderer = new resvg.Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    font: {
      fontFiles: FONT_FILES,
      loadSystemFonts: false,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
      serifFamily: 'DejaVu Sans',
      monospaceFamily: 'DejaVu Sans',
    },
  });
  return renderer.render().asPng();
}
