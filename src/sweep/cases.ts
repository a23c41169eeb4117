/** The cases of a sweep: every (model, mode, length) it holds, in run order. */
import { CaseResult, Mode, SweepSettings } from '../results/schema';

/** One planned case of a sweep. */
export interface PlannedCase {
  model: string;
  mode: Mode;
  seqLen: number;
}

/** Every case of a sweep in run order: model by model, each mode, lengths ascending. */
export function planCases(sweep: SweepSettings): PlannedCase[] {
  return sweep.models.flatMap((model) =>
    sweep.modes.flatMap((mode) => sweep.seq_lengths.map((seqLen) => ({ model, mode, seqLen }))),
  );
}

export function sameCase(row: CaseResult, c: PlannedCase): boolean {
  return row.model === c.model && row.mode === c.mode && row.seq_len === c.seqLen;
}
