/**
 * Multi-query associative recall (MQAR), as Zoology defines it (Arora et al. 2023; docs/recall.md):
 * an example opens with kv key-value pairs (keys from [1, V/2), values from [V/2, V), none repeated
 * within the example); each key is then queried once, at a gap drawn from a power law; every other
 * position holds 0 (or a random token). The target at a query's position is the value that followed
 * its key: the token the model must produce next. Generated from this package's own seeded
 * generator, so a seed gives the same examples on every machine.
 */
import { mulberry32 } from '../../models/params';
import { InputError } from '../../models/errors';

/** The label of a position that carries no target (PyTorch's ignore_index). */
export const IGNORED = -100;

/** Zoology's power_a: the gap g (in query slots, from 0) has probability proportional to (g + 1)^(a - 1). */
export const POWER_A = 0.01;

/** What the positions that are neither pairs nor queries hold. */
export type Filler = 'zeros' | 'random';

export interface MqarSpec {
  vocabSize: number;
  seqLen: number;
  kvPairs: number;
  examples: number;
  seed: number;
  /** Default 'zeros'. */
  filler?: Filler;
  /** Default POWER_A. */
  powerA?: number;
}

/** `examples` sequences of `seqLen` tokens, row-major. */
export interface MqarData {
  examples: number;
  seqLen: number;
  kvPairs: number;
  /** [examples, seqLen] token ids. */
  inputs: Int32Array;
  /** [examples, seqLen]: the value at each query's position, IGNORED elsewhere. */
  labels: Int32Array;
  /** [examples, kvPairs]: the position of each query within its example, in the order of the pairs. */
  queryPositions: Int32Array;
  /** [examples, kvPairs]: the value each query asks for (labels at queryPositions). */
  answers: Int32Array;
}

/** The task's limits: V > L (every example's tokens fit the vocabulary) and 4 kv <= L (pairs and queries fit the sequence). */
export function checkMqarShape(vocabSize: number, seqLen: number, kvPairs: number): void {
  for (const [field, value] of [
    ['vocabSize', vocabSize],
    ['seqLen', seqLen],
    ['kvPairs', kvPairs],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0)
      throw new InputError(field, `MQAR: ${field} must be a positive integer (got ${value})`);
  }
  if (vocabSize <= seqLen)
    throw new InputError(
      'vocabSize',
      `MQAR needs a vocabulary larger than the sequence (vocab ${vocabSize}, seq len ${seqLen})`,
    );
  if (4 * kvPairs > seqLen)
    throw new InputError(
      'kvPairs',
      `MQAR needs 4 * kv pairs <= seq len (kv ${kvPairs}, seq len ${seqLen}: the pairs take 2 kv positions and the queries up to 2 kv more)`,
    );
}

/** The probability of each query slot's gap g = 0 .. slots-1: (g + 1)^(a - 1), normalised. */
export function gapProbabilities(slots: number, powerA: number = POWER_A): number[] {
  const weights = Array.from({ length: slots }, (_, g) => (g + 1) ** (powerA - 1));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** `count` distinct integers from [from, to) in draw order (redrawn on a repeat; V > L >= 4 kv keeps count below half the range). */
function distinct(next: () => number, from: number, to: number, count: number): Int32Array {
  const out = new Int32Array(count);
  const seen = new Set<number>();
  for (let i = 0; i < count;) {
    const v = from + Math.floor(next() * (to - from));
    if (seen.has(v)) continue;
    seen.add(v);
    out[i++] = v;
  }
  return out;
}

/** `count` distinct slots drawn one after another, each in proportion to the weights of those left. */
function weightedDistinct(next: () => number, weights: readonly number[], count: number): number[] {
  const left = [...weights];
  let total = left.reduce((a, b) => a + b, 0);
  const chosen: number[] = [];
  for (let i = 0; i < count; i++) {
    let u = next() * total;
    let slot = 0;
    while (slot < left.length - 1 && (left[slot] === 0 || u >= left[slot])) {
      u -= left[slot];
      slot++;
    }
    // Rounding may leave u past the last positive weight: take the last slot still available.
    while (left[slot] === 0) slot--;
    chosen.push(slot);
    total -= left[slot];
    left[slot] = 0;
  }
  return chosen;
}

/** Generates the examples of `spec` (see the file's comment); the same spec gives the same data everywhere. */
export function generateMqar(spec: MqarSpec): MqarData {
  const { vocabSize: V, seqLen: L, kvPairs: kv, examples, seed } = spec;
  checkMqarShape(V, L, kv);
  if (!Number.isInteger(examples) || examples <= 0)
    throw new InputError('examples', `MQAR: examples must be a positive integer (got ${examples})`);
  if (!Number.isInteger(seed)) throw new InputError('seed', `MQAR: seed must be an integer (got ${seed})`);
  const filler = spec.filler ?? 'zeros';
  const next = mulberry32(seed);
  // The filler has a stream of its own, so that pairs and queries do not depend on the filler.
  const fill = mulberry32(seed ^ 0x5bd1e995);
  const half = Math.floor(V / 2);
  const context = 2 * kv;
  // Query slots: every second position after the pairs, so that a query's next position is free.
  const slots = Math.floor((L - context) / 2);
  const weights = gapProbabilities(slots, spec.powerA ?? POWER_A);
  const inputs = new Int32Array(examples * L);
  const labels = new Int32Array(examples * L).fill(IGNORED);
  const queryPositions = new Int32Array(examples * kv);
  const answers = new Int32Array(examples * kv);
  for (let e = 0; e < examples; e++) {
    const keys = distinct(next, 1, half, kv);
    const values = distinct(next, half, V, kv);
    const gaps = weightedDistinct(next, weights, kv);
    const row = e * L;
    const used = new Uint8Array(L);
    for (let i = 0; i < kv; i++) {
      inputs[row + 2 * i] = keys[i];
      inputs[row + 2 * i + 1] = values[i];
      used[2 * i] = used[2 * i + 1] = 1;
      const at = context + 2 * gaps[i];
      inputs[row + at] = keys[i];
      labels[row + at] = values[i];
      used[at] = 1;
      queryPositions[e * kv + i] = at;
      answers[e * kv + i] = values[i];
    }
    if (filler === 'random') {
      // As Zoology's random_non_queries: uniform over the whole vocabulary.
      for (let t = 0; t < L; t++) if (!used[t]) inputs[row + t] = Math.floor(fill() * V);
    }
  }
  return { examples, seqLen: L, kvPairs: kv, inputs, labels, queryPositions, answers };
}

/**
 * The generator seeds of a run's training and test sets: distinct for every seed (one even, one
 * odd), so the two sets never share a stream.
 */
export function splitSeeds(seed: number): { train: number; test: number } {
  return { train: (2 * seed) >>> 0, test: (2 * seed + 1) >>> 0 };
}
