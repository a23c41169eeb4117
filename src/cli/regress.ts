import * as path from 'path';
import { Command } from 'commander';
import { makeFolder } from '../io/make_folder';
import { writeFileAtomic } from '../io/write_files';
import { parseResults, readResults, readResultsText } from '../results/read';
import { baselineSummary, compareRuns, DEFAULT_THRESHOLD, NOISE_K } from '../regress/compare_runs';
import { formatReport } from '../regress/format';
import { UsageError } from '../options/usage_error';
import { EXIT } from './exit_codes';
import { withDefault } from './option_default';
import { addOutputOptions, noticeWriter, OutputOptions, printResult } from './output';
import { resultsFileOf } from './run_path';

/** The committed baseline of the repository's CI sweep. */
export const DEFAULT_BASELINE = path.join('results', 'baseline', 'results.json');

interface RegressOptions extends OutputOptions {
  baseline?: string;
  current?: string;
  threshold?: string;
  updateBaseline?: boolean;
}

/** '10' or '10%' -> 0.1. */
function thresholdFraction(value: string): number {
  const text = String(value).trim();
  if (!/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?%?$/i.test(text))
    throw new UsageError('--threshold', `--threshold: '${value}' is not a percentage (a number >= 0, e.g. 10 for 10%)`);
  const percent = Number(text.replace('%', ''));
  if (!(percent <= 1000))
    throw new UsageError('--threshold', `--threshold: '${value}' is not a percentage in [0, 1000]`);
  return percent / 100;
}

/**
 * --update-baseline: checks that the current file is a usable baseline (readable by the same checks as
 * every results file, with a calibration and an ok case)
 * and writes its text byte for byte over the baseline, atomically (the folder created).
 * It does not compare: a refresh is usually wanted precisely when the runs are no longer comparable.
 */
function updateBaseline(currentFile: string, baselineFile: string, options: RegressOptions): void {
  if (path.resolve(currentFile) === path.resolve(baselineFile))
    throw new UsageError('--current', '--current and --baseline are the same file');
  const text = readResultsText(currentFile);
  const results = parseResults(text, currentFile);
  const current = baselineSummary({ path: currentFile, results });
  makeFolder(path.dirname(baselineFile));
  writeFileAtomic(baselineFile, text);
  noticeWriter(options)(
    `updated the baseline ${baselineFile} with ${currentFile}: run ${current.run_id}, ${results.cases.length} case${results.cases.length === 1 ? '' : 's'}, ` +
      `${current.backend} on ${current.cpu_model}, calibration ${current.calibration_ms.toFixed(2)} ms`,
  );
}

/** The run to check: RUN or --current (one of them), a run folder meaning its results.json. */
function currentFile(run: string | undefined, options: RegressOptions): string {
  if (run !== undefined && options.current !== undefined)
    throw new UsageError('--current', 'give the run to check once: as RUN or as --current, not both');
  const target = run ?? options.current;
  if (target === undefined)
    throw new UsageError(
      '--current',
      'give the run to check: bsbr regress results/<run> (a run folder of bsbr compare, or its results.json)',
    );
  return resultsFileOf(target);
}

function regress(run: string | undefined, options: RegressOptions): void {
  const threshold = thresholdFraction(options.threshold ?? String(100 * DEFAULT_THRESHOLD));
  const current = currentFile(run, options);
  const baseline = resultsFileOf(options.baseline ?? DEFAULT_BASELINE);
  if (options.updateBaseline) return updateBaseline(current, baseline, options);
  const report = compareRuns(
    { path: baseline, results: readResults(baseline) },
    { path: current, results: readResults(current) },
    threshold,
  );
  printResult(formatReport(report, options.format));
  if (report.outcome === 'regression') process.exitCode = EXIT.failed;
  if (report.outcome === 'inconclusive') process.exitCode = EXIT.inconclusive;
}

/** `bsbr regress`: the CI performance check of a run against a baseline run. */
export function registerRegress(program: Command): void {
  const command = program
    .command('regress')
    .description(
      "compare a run's timings with a baseline run's, each divided by the calibration matmul timed with it; " +
        `exit ${EXIT.ok} pass, ${EXIT.failed} regression, ${EXIT.inconclusive} inconclusive (noise above the threshold), ${EXIT.usage} bad input`,
    )
    .argument('[run]', 'the run to check: a run folder of bsbr compare, or its results.json (or --current)')
    .addOption(withDefault('--baseline <run>', 'the baseline: a run folder or its results.json', DEFAULT_BASELINE))
    .option('--current <run>', 'the run to check (the same as giving it as RUN)')
    .addOption(
      withDefault(
        '--threshold <percent>',
        `a case regresses when its normalised median is more than this much slower than the baseline's and beyond ${NOISE_K} combined standard errors; ` +
          'a case whose noise bar exceeds it is inconclusive',
        100 * DEFAULT_THRESHOLD,
      ),
    )
    .option(
      '--update-baseline',
      'instead of comparing, check the current run and copy it over the baseline file (creating its folder)',
    );
  addOutputOptions(command, 'one row per case').action(regress);
}
