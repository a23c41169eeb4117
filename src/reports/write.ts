/** Writes every output of `bsbr analyze` (also called by `bsbr compare` at the end of a sweep). */
import { Analysis, analyzeResults } from '../analysis/analysis';
import { AnalysisFiles } from './analysis_files';
import { ResultsFile } from '../results/schema';
import { writeCharts } from './chart_files';
import { buildCharts } from './charts';
import { fitsCsv, fitsJson, slowdownCsv } from './fits_files';
import { reportHtml } from './html';

export interface AnalysisSummary {
  outDir: string;
  analysis: Analysis;
  /** The files written, relative to outDir. */
  files: string[];
  /** One-line remarks on the files: PNGs not written, chart warnings (notices, for stderr). */
  notices: string[];
}

/**
 * Analyses `results` and writes into `outDir` (created if needed): fits.csv, fits.json,
 * slowdown.csv, `<chart>.vl.json`, `<chart>.svg`, `<chart>.png` (where @resvg/resvg-js loads) and
 * report.html, and their record (.bsbr-analysis, src/reports/analysis_record.ts). `source` names
 * where the results came from in the report. All are made first and
 * then written together, atomically: a failure (a full disk) leaves every file as it was.
 */
export async function writeAnalysis(
  results: ResultsFile,
  outDir: string,
  source = 'results.json',
): Promise<AnalysisSummary> {
  const analysis = analyzeResults(results);
  const charts = buildCharts(results, analysis);
  const out = new AnalysisFiles(outDir);
  out.add('fits.csv', fitsCsv(analysis.fits));
  out.add('fits.json', `${JSON.stringify(fitsJson(results, analysis), null, 2)}\n`);
  out.add('slowdown.csv', slowdownCsv(analysis.slowdown));
  await writeCharts(charts, out);
  out.add('report.html', reportHtml({ results, analysis, charts, source }));
  out.writeAll();
  return { outDir, analysis, files: out.names, notices: out.notices };
}
