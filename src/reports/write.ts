/** Writes every output of `bsbr analyze` (also called by `bsbr compare` at the end of a sweep). */
import * as path from 'path';
import { Analysis, analyzeResults } from '../analysis/analysis';
import { makeFolder } from '../io/make_folder';
import { FileContent, writeFilesAtomic } from '../io/write_files';
import { withAnalysisRecord } from './analysis_record';
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
export async function writeAnalysis(results: ResultsFile, outDir: string, source = 'results.json'): Promise<AnalysisSummary> {
  const analysis = analyzeResults(results);
  const charts = buildCharts(results, analysis);
  const files: string[] = [];
  const notices: string[] = [];
  const contents: Array<[string, FileContent]> = [];
  const write = (name: string, content: FileContent): void => {
    contents.push([path.join(outDir, name), content]);
    files.push(name);
  };
  write('fits.csv', fitsCsv(analysis.fits));
  write('fits.json', `${JSON.stringify(fitsJson(results, analysis), null, 2)}\n`);
  write('slowdown.csv', slowdownCsv(analysis.slowdown));
  await writeCharts(charts, write, notices);
  write('report.html', reportHtml({ results, analysis, charts, source }));
  makeFolder(outDir);
  writeFilesAtomic(withAnalysisRecord(outDir, contents));
  return { outDir, analysis, files, notices };
}
