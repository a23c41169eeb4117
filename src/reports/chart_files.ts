/** The files of an analysis's charts: each chart's Vega-Lite spec, its SVG and (where @resvg/resvg-js loads) its PNG. */
import { firstLine } from '../../models/errors';
import { AnalysisFiles } from './analysis_files';
import { NamedChart } from './charts';
import { loadResvg, renderSvg, svgToPng } from './render';

/**
 * Adds `<chart>.vl.json`, `<chart>.svg` and `<chart>.png` of each chart to `out`, in order; a PNG
 * not written and each chart's rendering warnings go to its notices. Returns each chart with its SVG.
 */
export async function writeCharts(
  charts: readonly NamedChart[],
  out: AnalysisFiles,
): Promise<Array<[NamedChart, string]>> {
  const resvg = loadResvg();
  if (resvg instanceof Error)
    out.notices.push(`PNG not written (SVG only): @resvg/resvg-js did not load: ${firstLine(resvg)}`);
  const svgs: Array<[NamedChart, string]> = [];
  for (const chart of charts) {
    out.add(`${chart.name}.vl.json`, `${JSON.stringify(chart.spec, null, 2)}\n`);
    const { svg, warnings } = await renderSvg(chart.spec);
    out.notices.push(...warnings.map((w) => `chart ${chart.name}: ${w}`));
    out.add(`${chart.name}.svg`, svg);
    if (!(resvg instanceof Error)) out.add(`${chart.name}.png`, svgToPng(resvg, svg));
    svgs.push([chart, svg]);
  }
  return svgs;
}
