import * as fs from 'fs';
import * as path from 'path';
import { RESULTS_JSON } from '../results/write';

/** The results file a command-line argument names: a run folder means its results.json. */
export function resultsFileOf(target: string): string {
  return fs.existsSync(target) && fs.statSync(target).isDirectory() ? path.join(target, RESULTS_JSON) : target;
}

/** Where `bsbr compare` puts a run without --out: results/<run id>. */
export const RUNS_FOLDER = 'results';

/** The results.json of the newest run under ./results (by the file's modification time), or null where there is none. */
export function latestRun(parent = RUNS_FOLDER): string | null {
  if (!fs.existsSync(parent) || !fs.statSync(parent).isDirectory()) return null;
  const files = fs
    .readdirSync(parent)
    .map((name) => path.join(parent, name, RESULTS_JSON))
    .filter((file) => fs.existsSync(file) && fs.statSync(file).isFile());
  if (files.length === 0) return null;
  return files.reduce((a, b) => (fs.statSync(b).mtimeMs > fs.statSync(a).mtimeMs ? b : a));
}
