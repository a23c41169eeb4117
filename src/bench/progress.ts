/** What a sweep tells of its progress, case by case (the command line shows it: src/cli/progress.ts). */
import { CaseResult } from '../results/schema';
import { PlannedCase } from '../sweep/cases';

export interface SweepProgress {
  /** `done` of `total` cases already have rows (a resumed sweep). */
  start(total: number, done: number): void;
  caseStarted(c: PlannedCase): void;
  caseFinished(row: CaseResult): void;
  stop(): void;
}
