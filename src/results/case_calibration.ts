import { Calibration, CaseResult, ResultsFile } from './schema';

/**
 * The calibration a case was measured with: in a merged run, that of its shard (named by the case's
 * run_id; the reader checks every case names one), otherwise the run's own.
 */
export function caseCalibration(results: ResultsFile, c: CaseResult): Calibration | null {
  const shard = results.shards?.find((s) => s.run_id === c.run_id);
  return shard ? shard.calibration : results.calibration;
}
