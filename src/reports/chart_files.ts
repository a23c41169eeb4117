/** The files of an analysis's charts: each chart's Vega-Lite spec, its SVG and (where @resvg/resvg-js loads) its PNG. */
import { firstLine } from '../../models/errors';
import { FileContent } from '../io/write_files';
import { NamedChart } from './charts';
import { loadResvg, renderSvg, svgToPng } from './render';

/**
 * Adds `<chart>.vl.json`, `<chart>.svg` and `<chart>.png` of each chart through `write`, in order;
 * a PNG not written and each chart's rendering warnings go to `notices`. Returns each chart with its SVG.
 */
export async function writeCharts(
  charts: readonly NamedChart[], write: (name: string, content: FileContent) => void, notices: string[],
): Promise<Array<[NamedChart, string]>> {
  const resvg = loadResvg();
  if (resvg instanceof Error) notices.push(`PNG not written (SVG only): @resvg/resvg-js did not load: ${firstLine(resvg)}`);
  const svgs: Array<[NamedChart, string]> = [];
  for (const chart of charts) {
    write(`${chart.name}.vl.json`, `${JSON.stringify(chart.spec, null, 2)}\n`);
    const { svg, warnings } = await renderSvg(chart.spec);
    notices.push(...warnings.map((w) => `chart ${chart.name}: ${w}`));
    write(`${chart.name}.svg`, svg);
    if (!(resvg instanceof Error)) write(`${chart.name}.png`, svgToPng(resvg, svg));
    svgs.push([chart, svg]);
  }
  return svgs;
}
