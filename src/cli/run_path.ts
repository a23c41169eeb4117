import * as fs from 'fs';
import * as path from 'path';
import { RESULTS_JSON } from '../results/write';

/** The results file a command-line argument names: a run folder means its results.json. */
export function resultsFileOf(target: string): string {
  return fs.existsSync(target) && fs.statSync(target).isDirectory() ? path.join(target, RESULTS_JSON) : target;
}
