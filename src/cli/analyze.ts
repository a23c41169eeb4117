import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { makeFolder } from '../io/make_folder';
import { packageRoot } from '../package_root';
import { readResults } from '../results/read';
import { formatSummary } from '../reports/summary';
import { writeAnalysis } from '../reports/write';
import { UsageError } from '../options/usage_error';

/** Where --example-data writes unless --out says otherwise (the package folder may be read-only). */
const EXAMPLE_OUT_DIR = 'bsbr-example-analysis';

/** The results file shipped with the package: a real run of this toolkit. */
export function exampleDataPath(): string {
  return path.join(packageRoot(), 'results', 'example', 'results.json');
}

interface AnalyzeOptions {
  results?: string;
  exampleData?: boolean;
  out?: string;
}

/** Creates the output folder (nothing else is written if that fails) and checks it is writable. */
function prepareOutDir(dir: string): void {
  try {
    makeFolder(dir);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw new UsageError('--out', `cannot write to --out ${dir}: ${(err as Error).message}`);
  }
}

async function analyze(options: AnalyzeOptions): Promise<void> {
  if (options.results !== undefined && options.exampleData) throw new UsageError('--results', 'give either --results <file> or --example-data, not both');
  if (options.results === undefined && !options.exampleData) throw new UsageError('--results', 'give --results <file> (a results.json from bsbr compare) or --example-data');
  const file = options.results ?? exampleDataPath();
  if (options.exampleData && !fs.existsSync(file)) {
    throw new UsageError('--example-data', `the example data is not in this package: ${file} is missing (analyse your own run with --results <file>)`);
  }
  const results = readResults(file);
  const outDir = options.out ?? (options.exampleData ? EXAMPLE_OUT_DIR : path.dirname(file));
  prepareOutDir(outDir);
  const summary = await writeAnalysis(results, outDir, options.exampleData ? `the example data shipped with bsbr (${file})` : file);
  console.log(formatSummary(summary));
}

/** `bsbr analyze`: scaling fits, slowdowns, charts and report.html from a results.json. */
export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('fit scaling exponents, compare models and draw the charts and report.html of a bsbr compare run')
    .option('--results <file>', 'the results.json of a bsbr compare run')
    .option('--example-data', 'analyse the results of a real run shipped with the package')
    .option('--out <dir>', `where to write the charts, fits and report.html (default: beside the results file; with --example-data: ./${EXAMPLE_OUT_DIR})`)
    .action(analyze);
}
