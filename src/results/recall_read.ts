/**
 * Reads a `bsbr recall` results.json back (analyze, --resume, merge) and checks every field they use,
 * so that a file edited into something they cannot use is refused with the field named.
 */
import { MiB, readRegularFile } from '../io/read_file';
import { ResultsFileError } from './read';
import { RECALL_FORMAT, RecallResults, recallCaseKey } from './recall_schema';

type Rule = [key: string, test: (v: unknown) => boolean, what: string];

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const positiveInteger = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const orNull = (test: (v: unknown) => boolean) => (v: unknown) => v === null || test(v);
const listOf = (test: (v: unknown) => boolean) => (v: unknown) => Array.isArray(v) && v.length > 0 && v.every(test);

const SWEEP_RULES: Rule[] = [
  ['models', listOf((v) => typeof v === 'string' && v !== ''), 'a non-empty list of names'],
  ['hidden_dims', listOf(positiveInteger), 'a non-empty list of positive integers'],
  [
    'tasks',
    listOf((v) => isObject(v) && positiveInteger(v.seq_len) && positiveInteger(v.kv_pairs)),
    'a non-empty list of { seq_len, kv_pairs }',
  ],
  ['learning_rates', listOf((v) => finite(v) && v > 0), 'a non-empty list of positive numbers'],
  ['bsbr_compression', listOf(orNull(positiveInteger)), 'a non-empty list of positive integers or null'],
  ...(['ff_factor', 'train_examples', 'test_examples', 'batch_size', 'steps', 'eval_every'] as const).map(
    (key): Rule => [key, positiveInteger, 'a positive integer'],
  ),
  ['warmup_steps', (v) => Number.isSafeInteger(v) && (v as number) >= 0, 'an integer >= 0'],
  ['target_accuracy', (v) => finite(v) && v > 0 && v <= 1, 'a number in (0, 1]'],
  ['filler', (v) => v === 'zeros' || v === 'random', "'zeros' or 'random'"],
  ['data_seed', (v) => Number.isSafeInteger(v), 'an integer'],
];

const CASE_RULES: Rule[] = [
  ['run_id', (v) => typeof v === 'string', 'a string'],
  ['model', (v) => typeof v === 'string' && v !== '', 'a non-empty string'],
  ['compression_factor', orNull(positiveInteger), 'a positive integer or null'],
  ...(['hidden_dim', 'seq_len', 'kv_pairs', 'state_floats'] as const).map((key): Rule => [
    key,
    positiveInteger,
    'a positive integer',
  ]),
  ['learning_rate', (v) => finite(v) && v > 0, 'a positive number'],
  ['backend', (v) => typeof v === 'string', 'a string'],
  ['status', (v) => v === 'ok' || v === 'error', "'ok' or 'error'"],
  ['accuracy', orNull((v) => finite(v) && v >= 0 && v <= 1), 'a number in [0, 1] or null'],
  ['final_loss', orNull(finite), 'a number or null'],
  ['steps', orNull(positiveInteger), 'a positive integer or null'],
  ['wall_s', orNull((v) => finite(v) && v >= 0), 'a number >= 0 or null'],
  ['params', orNull(positiveInteger), 'a positive integer or null'],
  ['message', (v) => typeof v === 'string', 'a string'],
  [
    'evaluations',
    (v) =>
      Array.isArray(v) &&
      v.every((e) => isObject(e) && positiveInteger(e.step) && finite(e.accuracy) && finite(e.loss)),
    'a list of { step, accuracy, loss }',
  ],
];

/** Applies `rules` to `object` (at `where` in the file at `path`). */
function check(path: string, object: unknown, where: string, rules: readonly Rule[]): void {
  if (!isObject(object)) throw new ResultsFileError(path, `${path}: ${where || 'the file'} is not an object`);
  for (const [key, test, what] of rules) {
    if (!(key in object)) throw new ResultsFileError(path, `${path}: ${where}${key} is missing`);
    if (!test(object[key])) {
      const got = JSON.stringify(object[key]) ?? String(object[key]);
      throw new ResultsFileError(
        path,
        `${path}: ${where}${key} must be ${what} (got ${got.length > 60 ? `${got.slice(0, 60)}...` : got})`,
      );
    }
  }
}

/** Whether parsed JSON is a recall run (its "format"); other files go to the compare reader. */
export function isRecallResults(data: unknown): boolean {
  return isObject(data) && data.format === RECALL_FORMAT;
}

/** Checks parsed JSON as a recall results file; `path` names it in messages. */
export function checkRecallResults(data: unknown, path: string): RecallResults {
  if (!isRecallResults(data))
    throw new ResultsFileError(path, `${path} is not a bsbr recall results file (no "format": "${RECALL_FORMAT}")`);
  const file = data as Record<string, unknown>;
  if (file.version !== 1)
    throw new ResultsFileError(
      path,
      `${path} has recall results format version ${file.version}; this bsbr reads version 1`,
    );
  check(path, file, '', [
    ['run_id', (v) => typeof v === 'string' && v !== '', 'a non-empty string'],
    ['created_at', (v) => typeof v === 'string', 'a string'],
    ['command', (v) => Array.isArray(v) && v.every((w) => typeof w === 'string'), 'a list of strings'],
    ['config', isObject, 'an object'],
    ['environment', (v) => isObject(v) && typeof v.backend === 'string', 'an object with a backend'],
    ['cases', Array.isArray, 'a list'],
  ]);
  check(path, file.sweep, 'sweep.', SWEEP_RULES);
  const seen = new Map<string, number>();
  (file.cases as unknown[]).forEach((c, i) => {
    check(path, c, `cases[${i}].`, CASE_RULES);
    const key = recallCaseKey(c as RecallResults['cases'][number]);
    if (seen.has(key))
      throw new ResultsFileError(path, `${path}: cases[${i}] repeats the case of cases[${seen.get(key)}] (${key})`);
    seen.set(key, i);
  });
  return data as RecallResults;
}

function readText(path: string): string {
  return readRegularFile(path, 'results file', 256 * MiB).toString('utf8');
}

/** Whether the file at `path` is a recall run; a file that cannot be read or parsed is not (its reader says why). */
export function isRecallRun(path: string): boolean {
  try {
    return isRecallResults(JSON.parse(readText(path)));
  } catch {
    return false;
  }
}

/** Reads and checks a recall results.json. */
export function readRecallResults(path: string): RecallResults {
  const text = readText(path);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ResultsFileError(path, `${path} is not valid JSON (truncated or corrupted?): ${(err as Error).message}`);
  }
  return checkRecallResults(data, path);
}
