import * as path from 'path';
import { Command } from 'commander';
import { makeFolder } from '../io/make_folder';
import { writeFileAtomic } from '../io/write_files';
import { parseResults, readResults, readResultsText } from '../results/read';
import { baselineSummary, compareRuns, DEFAULT_THRESHOLD, NOISE_K } from '../regress/compare_runs';
import { formatReport } from '../regress/format';
import { UsageError } from '../options/usage_error';
import { EXIT } from './exit_codes';
import { addOutputOptions, noticeWriter, OutputOptions } from './output';

/** The committed baseline of the repository's CI sweep. */
export const DEFAULT_BASELINE = path.join('results', 'baseline', 'results.json');

interface RegressOptions extends OutputOptions {
  baseline: string;
  current: string;
  threshold: string;
  updateBaseline?: boolean;
}

/** '10' or '10%' -> 0.1. */
function thresholdFraction(value: string): number {
  const text = String(value).trim();
  if (!/^(\d+\.?\d*|\.\d+)%?$/.test(text)) throw new UsageError('--threshold', `--threshold: '${value}' is not a percentage (a number >= 0, e.g. 10 for 10%)`);
  return Number(text.replace('%', '')) / 100;
}

/**
 * --update-baseline: checks that the current file is a usable baseline (readable by the same checks as
 * every results file, with a calibration and an ok case)
 * and writes its text byte for byte over the baseline, atomically (the folder created).
 * It does not compare: a refresh is usually wanted precisely when the runs are no longer comparable.
 */
function updateBaseline(options: RegressOptions): void {
  if (path.resolve(options.current) === path.resolve(options.baseline)) throw new UsageError('--current', '--current and --baseline are the same file');
  const text = readResultsText(options.current);
  const results = parseResults(text, options.current);
  const current = baselineSummary({ path: options.current, results });
  makeFolder(path.dirname(options.baseline));
  writeFileAtomic(options.baseline, text);
  noticeWriter(options)(
    `updated the baseline ${options.baseline} with ${options.current}: run ${current.run_id}, ${results.cases.length} cases, ` +
      `${current.backend} on ${current.cpu_model}, calibration ${current.calibration_ms.toFixed(2)} ms`,
  );
}

function regress(options: RegressOptions): void {
  const threshold = thresholdFraction(options.threshold);
  if (options.updateBaseline) return updateBaseline(options);
  const baseline = { path: options.baseline, results: readResults(options.baseline) };
  const current = { path: options.current, results: readResults(options.current) };
  const report = compareRuns(baseline, current, threshold);
  console.log(formatReport(report, options.format));
  if (report.regressions > 0) process.exitCode = EXIT.failed;
}

/** `bsbr regress`: the CI performance check of a run against a baseline run. */
export function registerRegress(program: Command): void {
  const command = program
    .command('regress')
    .description(
      "compare a run's timings with a baseline run's, each divided by its run's calibration matmul; exit 1 on a regression, 2 on bad input",
    )
    .option('--baseline <file>', 'the baseline results.json', DEFAULT_BASELINE)
    .requiredOption('--current <file>', 'the results.json of the run to check (from bsbr compare)')
    .option(
      '--threshold <percent>',
      `a case regresses when its normalised median is more than this much slower than the baseline's and the difference exceeds ${NOISE_K}x the combined robust spread of the repeats`,
      String(100 * DEFAULT_THRESHOLD),
    )
    .option('--update-baseline', 'instead of comparing, check the current run and copy it over the baseline file (creating its folder)');
  addOutputOptions(command, 'one row per case').action(regress);
}
