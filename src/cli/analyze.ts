import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { RESULTS_JSON } from '../bench/write';
import { makeFolder } from '../io/make_folder';
import { packageRoot } from '../package_root';
import { fitsCsv } from '../reports/fits_files';
import { readResults } from '../results/read';
import { formatRunSummary } from '../reports/summary';
import { writeAnalysis } from '../reports/write';
import { UsageError } from '../options/usage_error';
import { addOutputOptions, noticeWriter, OutputOptions } from './output';

/** Where --example-data writes unless --out says otherwise (the package folder may be read-only). */
const EXAMPLE_OUT_DIR = 'bsbr-example-analysis';

/** The results file shipped with the package: a real run of this toolkit. */
export function exampleDataPath(): string {
  return path.join(packageRoot(), 'results', 'example', 'results.json');
}

interface AnalyzeOptions extends OutputOptions {
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

/** The results file named by `bsbr analyze RUN`, --results or --example-data: a run folder means its results.json. */
function resultsPath(run: string | undefined, options: AnalyzeOptions): string {
  const given = [run, options.results, options.exampleData ? 'example' : undefined].filter((x) => x !== undefined);
  if (given.length > 1) throw new UsageError('--results', 'give one of RUN, --results <file> and --example-data, not both');
  if (given.length === 0) throw new UsageError('--results', 'give a run folder or its results.json (bsbr analyze results/<run>), --results <file> or --example-data');
  if (options.exampleData) {
    const file = exampleDataPath();
    if (!fs.existsSync(file)) throw new UsageError('--example-data', `the example data is not in this package: ${file} is missing (analyse your own run with bsbr analyze <run>)`);
    return file;
  }
  const target = (run ?? options.results)!;
  return fs.existsSync(target) && fs.statSync(target).isDirectory() ? path.join(target, RESULTS_JSON) : target;
}

async function analyze(run: string | undefined, options: AnalyzeOptions): Promise<void> {
  const file = resultsPath(run, options);
  const results = readResults(file);
  const outDir = options.out ?? (options.exampleData ? EXAMPLE_OUT_DIR : path.dirname(file));
  prepareOutDir(outDir);
  const source = options.exampleData ? `the example data shipped with bsbr (${file})` : file;
  const written = await writeAnalysis(results, outDir, source);
  const notice = noticeWriter(options);
  written.notices.forEach(notice);
  const summary = { results, analysis: written.analysis, source };
  console.log(formatRunSummary(summary, options.format, () => fitsCsv(written.analysis.fits), { out_dir: outDir, files: written.files }));
  notice(`wrote ${written.files.length} files to ${outDir}; open ${path.join(outDir, 'report.html')}`);
}

/** `bsbr analyze`: scaling fits, slowdowns, charts and report.html from a results.json. */
export function registerAnalyze(program: Command): void {
  const command = program
    .command('analyze')
    .description('fit scaling exponents, compare models and draw the charts and report.html of a bsbr compare run')
    .argument('[run]', 'a run folder of bsbr compare, or its results.json')
    .option('--results <file>', 'the results.json of a bsbr compare run (the same as giving it as RUN)')
    .option('--example-data', 'analyse the results of a real run shipped with the package')
    .option('--out <dir>', `where to write the charts, fits and report.html (default: beside the results file; with --example-data: ./${EXAMPLE_OUT_DIR})`);
  addOutputOptions(command, 'the fits, as fits.csv').action(analyze);
}
