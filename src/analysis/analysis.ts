/** Everything `bsbr analyze` computes from a results file: fits per (mode, model) and the slowdown table. */
import { CaseResult, Mode, MODES, ResultsFile } from '../results/schema';
import { suggestedClass, TheoreticalComplexity, theoreticalComplexity } from './complexity';
import { fitPowerLaw, PowerLawFit } from './fit';
import { SlowdownRow, slowdownTable } from './slowdown';

export interface ModelFit {
  mode: Mode;
  model: string;
  /** The distinct lengths with an ok case, ascending. */
  seq_lens: number[];
  /** Median time against n; null with fewer than 2 ok lengths. */
  time: PowerLawFit | null;
  time_class: string | null;
  /** Peak tensor bytes against n; null with fewer than 2 lengths that recorded it. */
  memory: PowerLawFit | null;
  memory_class: string | null;
  /** From architectures.md; null for a model it does not describe. */
  theory: TheoreticalComplexity | null;
  /** Why a fit is missing; empty when both exist. */
  note: string;
}

export interface Analysis {
  /** The modes with at least one case, in MODES order. */
  modes: Mode[];
  /** Every model with a case, in the order the results list them. */
  models: string[];
  fits: ModelFit[];
  slowdown: SlowdownRow[];
}

function fitOf(cases: readonly CaseResult[], value: (c: CaseResult) => number | null): PowerLawFit | null {
  const points = cases.flatMap((c) => {
    const y = value(c);
    return y !== null && y > 0 ? [{ n: c.seq_len, y }] : [];
  });
  if (new Set(points.map((p) => p.n)).size < 2) return null;
  return fitPowerLaw(points.map((p) => p.n), points.map((p) => p.y));
}

function fitModel(mode: Mode, model: string, cases: readonly CaseResult[]): ModelFit {
  const ok = cases.filter((c) => c.status === 'ok');
  const seqLens = [...new Set(ok.map((c) => c.seq_len))].sort((a, b) => a - b);
  const time = fitOf(ok, (c) => c.median_ms);
  const memory = fitOf(ok, (c) => c.peak_tensor_bytes);
  const notes: string[] = [];
  if (time === null) notes.push(`${seqLens.length} ok length${seqLens.length === 1 ? '' : 's'} (a fit needs 2): no fit`);
  else if (memory === null) notes.push('fewer than 2 lengths recorded peak tensor bytes: no memory fit');
  return {
    mode,
    model,
    seq_lens: seqLens,
    time,
    time_class: time === null ? null : suggestedClass(time.exponent),
    memory,
    memory_class: memory === null ? null : suggestedClass(memory.exponent),
    theory: theoreticalComplexity(model, mode) ?? null,
    note: notes.join('; '),
  };
}

/** Fits every (mode, model) separately; only cases with status ok enter a fit or the slowdown table. */
export function analyzeResults(results: ResultsFile): Analysis {
  const modes = MODES.filter((mode) => results.cases.some((c) => c.mode === mode));
  const models = [...new Set(results.cases.map((c) => c.model))];
  const fits = modes.flatMap((mode) =>
    models
      .map((model) => results.cases.filter((c) => c.mode === mode && c.model === model))
      .filter((cases) => cases.length > 0)
      .map((cases) => fitModel(mode, cases[0].model, cases)),
  );
  return { modes, models, fits, slowdown: slowdownTable(results.cases) };
}
