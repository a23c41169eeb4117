/** The terminal summary of an analysis, printed by `bsbr analyze` and at the end of `bsbr compare`. */
import * as path from 'path';
import Table from 'cli-table3';
import { fitsTableCells, slowdownMatrix } from './format';
import { AnalysisSummary } from './write';

function table(cells: { head: string[]; rows: string[][] }): string {
  const t = new Table({ head: cells.head, style: { head: [], border: [] } });
  t.push(...cells.rows);
  return t.toString();
}

/** The terminal summary: per mode the fits and the slowdown matrix, then the notes and where the files went. */
export function formatSummary(summary: AnalysisSummary): string {
  const { analysis } = summary;
  const parts = analysis.modes.flatMap((mode) => [
    `${mode}: scaling exponents (time: median ms ~ n^e; memory: peak tensor bytes ~ n^e)`,
    table(fitsTableCells(analysis.fits.filter((f) => f.mode === mode))),
    `${mode}: slowdown against the fastest model at each length`,
    table(slowdownMatrix(analysis.slowdown, mode, analysis.models)),
  ]);
  if (analysis.modes.length === 0) parts.push('no cases in the results file: nothing to fit');
  parts.push(...summary.notes.map((n) => `note: ${n}`));
  parts.push(`wrote ${summary.files.length} files to ${summary.outDir}; open ${path.join(summary.outDir, 'report.html')}`);
  return parts.join('\n');
}

