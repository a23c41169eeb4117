import { Calibration, CaseResult, ResultsFile } from './schema';

/** The calibration a case is divided by, and where it was timed. */
export interface CaseYardstick {
  median_ms: number;
  samples_ms: number[];
  /** case: in the case's own worker, right after its timed calls; run: the run's (in a merged run, the shard's). */
  taken: 'case' | 'run';
}

/**
 * The run's calibration for a case: in a merged run, that of its shard (named by the case's run_id;
 * the reader checks every case names one), otherwise the run's own.
 */
export function runCalibration(results: ResultsFile, c: CaseResult): Calibration | null {
  const shard = results.shards?.find((s) => s.run_id === c.run_id);
  return shard ? shard.calibration : results.calibration;
}

/** The calibration timed in the case's own worker, where the run recorded one. */
export function ownCalibration(c: CaseResult): CaseYardstick | null {
  if (c.calibration_ms === undefined || c.calibration_ms === null || !c.calibration_samples_ms?.length) return null;
  return { median_ms: c.calibration_ms, samples_ms: c.calibration_samples_ms, taken: 'case' };
}
