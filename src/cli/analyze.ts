import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { othersEntries } from '../io/folder_entries';
import { makeFolder } from '../io/make_folder';
import { isTemporary } from '../io/write_files';
import { packageRoot } from '../package_root';
import { analysisFiles } from '../reports/analysis_record';
import { fitsCsv } from '../reports/fits_files';
import { readResults } from '../results/read';
import { RESULTS_CSV } from '../results/write';
import { isRecallRun, readRecallResults } from '../results/recall_read';
import { RecallResults } from '../results/recall_schema';
import { formatRecall, writeRecallAnalysis } from '../reports/recall';
import { formatRunSummary } from '../reports/summary';
import { writeAnalysis } from '../reports/write';
import { UsageError } from '../options/usage_error';
import { addOutputOptions, noticeWriter, OutputOptions, printResult } from './output';
import { latestRun, resultsFileOf, RUNS_FOLDER } from './run_path';
import { analyzeResults } from '../analysis/analysis';

/**
 * The runs shipped with the package (real runs of this toolkit, never edited), by the name
 * --example-data takes: its folder under results/ and where its analysis goes unless --out says
 * otherwise (the package folder may be read-only).
 */
const EXAMPLES = {
  cpu: { folder: 'example', outDir: 'bsbr-example-analysis', what: 'the CPU run' },
  gpu: { folder: 'example-gpu', outDir: 'bsbr-example-gpu-analysis', what: 'the GPU run (NVIDIA H100, webgpu)' },
  recall: {
    folder: 'example-recall',
    outDir: 'bsbr-example-recall-analysis',
    what: 'the recall run (bsbr recall --preset recall-gpu, NVIDIA H100, webgpu)',
  },
} as const;

export type ExampleName = keyof typeof EXAMPLES;

/** The results file of a shipped run. */
export function exampleDataPath(name: ExampleName = 'cpu'): string {
  return path.join(packageRoot(), 'results', EXAMPLES[name].folder, 'results.json');
}

interface AnalyzeOptions extends OutputOptions {
  results?: string;
  /** true: the CPU run; else the name of a shipped run. */
  exampleData?: boolean | string;
  out?: string;
}

/** The shipped run --example-data names, or null without it. */
function exampleName(options: AnalyzeOptions): ExampleName | null {
  if (options.exampleData === undefined || options.exampleData === false) return null;
  const name = options.exampleData === true ? 'cpu' : options.exampleData;
  if (!(name in EXAMPLES))
    throw new UsageError(
      '--example-data',
      `--example-data: '${name}' is not a shipped run (${Object.keys(EXAMPLES).join(' or ')})`,
    );
  return name as ExampleName;
}

/**
 * Refuses an --out holding anything but an analysis's own files, unchanged since it wrote them (its
 * record says which), the run it reads (`source` and its results.csv, in their own folder) and the
 * temporary files a killed writer leaves: as compare's --out, nobody's file is overwritten.
 */
function checkOutDir(dir: string, source: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return;
  const run = path.resolve(path.dirname(source)) === path.resolve(dir) ? [path.basename(source), RESULTS_CSV] : [];
  const analysis = analysisFiles(dir);
  const others = othersEntries(dir, (name) => run.includes(name) || isTemporary(name) || analysis(name));
  if (others.names.length === 0) return;
  throw new UsageError(
    '--out',
    `--out: '${dir}' holds files that no analysis wrote there, or that changed since (${others.listed}); give a new or empty folder (analyze writes again only over its own output)`,
  );
}

/** Creates the output folder (nothing else is written if that fails) and checks it is writable and holds nobody else's files. */
function prepareOutDir(dir: string, source: string): void {
  checkOutDir(dir, source);
  try {
    makeFolder(dir);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw new UsageError('--out', `cannot write to --out ${dir}: ${(err as Error).message}`);
  }
}

/** The results file named by `bsbr analyze RUN`, --results or --example-data: a run folder means its results.json. */
function resultsPath(run: string | undefined, options: AnalyzeOptions, example: ExampleName | null): string {
  const given = [run, options.results, example ?? undefined].filter((x) => x !== undefined);
  if (given.length > 1)
    throw new UsageError('--results', 'give one of RUN, --results <file> and --example-data, not both');
  if (given.length === 0) {
    const latest = latestRun();
    if (latest === null)
      throw new UsageError(
        '--results',
        `no run under ./${RUNS_FOLDER}: give a run folder or its results.json (bsbr analyze results/<run>), --results <file> or --example-data`,
      );
    return latest;
  }
  if (example) {
    const file = exampleDataPath(example);
    if (!fs.existsSync(file))
      throw new UsageError(
        '--example-data',
        `the example data is not in this package: ${file} is missing (analyse your own run with bsbr analyze <run>)`,
      );
    return file;
  }
  return resultsFileOf((run ?? options.results)!);
}

async function analyze(run: string | undefined, options: AnalyzeOptions): Promise<void> {
  const example = exampleName(options);
  const file = resultsPath(run, options, example);
  const outDir = options.out ?? (example ? EXAMPLES[example].outDir : path.dirname(file));
  const source = example ? `the example data shipped with bsbr, ${EXAMPLES[example].what} (${file})` : file;
  // Files only where asked: --out, or --example-data (whose report is nowhere else). bsbr compare
  // already wrote a run's charts and report.html into its folder.
  const writes = options.out !== undefined || example !== null;
  if (isRecallRun(file)) {
    const recall = readRecallResults(file);
    if (!writes) return printResult(formatRecall(recall, options.format));
    return analyzeRecall(recall, outDir, file, source, options);
  }
  const results = readResults(file);
  if (!writes) {
    const analysis = analyzeResults(results);
    printResult(formatRunSummary({ results, analysis, source }, options.format, () => fitsCsv(analysis.fits)));
    noticeWriter(options)(
      `no files written: --out DIR writes the charts, fits and report.html (bsbr compare wrote them beside ${file})`,
    );
    return;
  }
  prepareOutDir(outDir, file);
  const written = await writeAnalysis(results, outDir, source);
  const notice = noticeWriter(options);
  written.notices.forEach(notice);
  const summary = { results, analysis: written.analysis, source };
  printResult(
    formatRunSummary(summary, options.format, () => fitsCsv(written.analysis.fits), {
      out_dir: outDir,
      files: written.files,
    }),
  );
  notice(`wrote ${written.files.length} files to ${outDir}; open ${path.join(outDir, 'report.html')}`);
}

/** A `bsbr recall` run: its best-accuracy table on stdout, the charts and report.html in outDir. */
async function analyzeRecall(
  results: RecallResults,
  outDir: string,
  file: string,
  source: string,
  options: AnalyzeOptions,
): Promise<void> {
  prepareOutDir(outDir, file);
  const written = await writeRecallAnalysis(results, outDir, source);
  const notice = noticeWriter(options);
  written.notices.forEach(notice);
  printResult(formatRecall(results, options.format));
  notice(`wrote ${written.files.length} files to ${outDir}; open ${path.join(outDir, 'report.html')}`);
}

/** `bsbr analyze`: scaling fits, slowdowns, charts and report.html from a results.json. */
export function registerAnalyze(program: Command): void {
  const exampleOutDirs = Object.entries(EXAMPLES)
    .map(([name, example]) => `./${example.outDir} for ${name}`)
    .join(', ');
  const command = program
    .command('analyze')
    .description(
      'fit scaling exponents, compare models and draw the charts and report.html of a bsbr compare run; of a bsbr recall run, its accuracy against state size',
    )
    .argument(
      '[run]',
      `a run folder of bsbr compare or bsbr recall, or its results.json (default: the newest run under ./${RUNS_FOLDER})`,
    )
    .option('--results <file>', 'the results.json of a bsbr compare run (the same as giving it as RUN)')
    .option(
      '--example-data [run]',
      'analyse a real run shipped with the package: cpu (the default; wasm, all seven models), gpu (an NVIDIA H100 through webgpu) or recall (MQAR accuracy of all seven, trained on an NVIDIA H100 through webgpu)',
    )
    .option(
      '--out <dir>',
      `write the charts, fits and report.html there (default: none, stdout only; with --example-data: ${exampleOutDirs})`,
    );
  addOutputOptions(command, 'the fits, as fits.csv').action(analyze);
}
