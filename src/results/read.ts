/**
 * Reads a results.json back and checks every field a reader uses (analyze, regress, --resume)
 * before any of them writes anything: a file edited by hand into something these cannot use is
 * refused with the field named, never half-used.
 */
import { InputError } from '../../models/errors';
import { jsonErrorPlace } from '../io/json_error';
import { MiB, readRegularFile } from '../io/read_file';
import { CASE_STATUSES, LATER_CASE_COLUMNS, MAX_SHARDS, MODES, REQUIRED_CASE_COLUMNS, ResultsFile } from './schema';

/** A results file (its path in `field`) that cannot be used: missing, truncated or not in the bsbr-results format. */
export class ResultsFileError extends InputError {}

type Check = [test: (value: unknown) => boolean, what: string];

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const STRING: Check = [(v) => typeof v === 'string', 'a string'];
const NAME: Check = [(v) => typeof v === 'string' && v !== '', 'a non-empty string'];
// A model's name is a key of the readers' tables (and vega's): not one of Object.prototype's members.
const MODEL_NAME: Check = [
  (v) => NAME[0](v) && !((v as string) in Object.prototype),
  'a non-empty string, not a member of every object (valueOf, constructor, ...)',
];
const POSITIVE: Check = [(v) => finite(v) && v > 0, 'a positive number'];
const NON_NEGATIVE: Check = [(v) => finite(v) && v >= 0, 'a number >= 0'];
const COUNT: Check = [(v) => Number.isSafeInteger(v) && (v as number) >= 0, 'an integer >= 0'];
const POSITIVE_INTEGER: Check = [(v) => Number.isSafeInteger(v) && (v as number) > 0, 'a positive integer'];
const SHA256: Check = [
  (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v),
  'a SHA-256 in 64 lowercase hex digits',
];
const MODE: Check = [(v) => MODES.includes(v as never), `one of ${MODES.join(', ')}`];
const STATUS: Check = [(v) => CASE_STATUSES.includes(v as never), `one of ${CASE_STATUSES.join(', ')}`];
const nullOr = ([test, what]: Check): Check => [(v) => v === null || test(v), `${what} or null`];
const listOf = ([test, what]: Check): Check => [(v) => Array.isArray(v) && v.every(test), `a list of: ${what}`];
const nonEmptyListOf = (check: Check): Check => [
  (v) => Array.isArray(v) && v.length > 0 && listOf(check)[0](v),
  `a non-empty ${listOf(check)[1].slice(2)}`,
];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value as a message shows it: JSON, cut at 60 characters. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}

/** A results.json is a few levels deep; deeper nesting is refused before any reader recurses into it. */
const MAX_DEPTH = 32;

/** Whether `data` nests objects and lists more than `limit` levels deep (a walk without recursion). */
function nestedDeeper(data: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[data, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Checks `object[key]` (its place in the file is `where`); `optional` lets it be absent. */
function expect(
  path: string,
  object: Record<string, unknown>,
  where: string,
  key: string,
  [test, what]: Check,
  optional = false,
): void {
  if (optional && !(key in object)) return;
  if (!(key in object)) throw new ResultsFileError(path, `${path}: ${where}${key} is missing`);
  if (!test(object[key])) {
    throw new ResultsFileError(path, `${path}: ${where}${key} must be ${what} (got ${shown(object[key])})`);
  }
}

function section(path: string, file: Record<string, unknown>, key: string): Record<string, unknown> {
  if (!isObject(file[key])) throw new ResultsFileError(path, `${path} has no "${key}" object`);
  return file[key] as Record<string, unknown>;
}

const ENVIRONMENT_STRINGS = [
  'backend',
  'backend_version',
  'tfjs_core_version',
  'bsbr_version',
  'node_version',
  'platform',
  'arch',
  'cpu_model',
  'hostname',
];
const TIMINGS = ['median_ms', 'min_ms', 'max_ms', 'mean_ms'];
const RATES = ['tokens_per_s', 'flops', 'gflops_per_s', 'peak_rss_bytes'];

function checkCase(path: string, c: unknown, index: number, seen: Map<string, number>): void {
  const where = `cases[${index}].`;
  if (!isObject(c)) throw new ResultsFileError(path, `${path}: cases[${index}] is not an object`);
  for (const column of REQUIRED_CASE_COLUMNS) {
    if (!(column in c)) throw new ResultsFileError(path, `${path}: cases[${index}] has no '${column}'`);
  }
  const field = (key: string, check: Check) => expect(path, c, where, key, check);
  // Absent in runs from before the webgpu backend.
  for (const key of LATER_CASE_COLUMNS) expect(path, c, where, key, nullOr(NON_NEGATIVE), true);
  field('run_id', STRING);
  field('model', MODEL_NAME);
  field('mode', MODE);
  field('backend', STRING);
  field('status', STATUS);
  field('seq_len', POSITIVE_INTEGER);
  field('batch_size', POSITIVE_INTEGER);
  field('params', COUNT);
  field('repeats', COUNT);
  field('message', STRING);
  field('samples_ms', listOf(POSITIVE));
  field('std_ms', nullOr(NON_NEGATIVE));
  field('peak_tensor_bytes', nullOr(NON_NEGATIVE));
  for (const key of RATES) field(key, nullOr(POSITIVE));
  // Measured (ok, or timed with a non-finite output): every timing, from its repeats.
  const measured = c.status === 'ok' || c.status === 'non-finite';
  for (const key of TIMINGS) field(key, measured ? POSITIVE : nullOr(POSITIVE));
  if (measured) {
    field('std_ms', NON_NEGATIVE);
    field('samples_ms', nonEmptyListOf(POSITIVE));
    if (c.repeats !== (c.samples_ms as number[]).length) {
      throw new ResultsFileError(
        path,
        `${path}: ${where}repeats is ${c.repeats} but samples_ms holds ${(c.samples_ms as number[]).length}`,
      );
    }
  }
  // Absent in runs from before the noise figures and load averages were recorded.
  for (const key of ['spread', 'load_before', 'load_after']) expect(path, c, where, key, nullOr(NON_NEGATIVE), true);
  expect(path, c, where, 'threads', nullOr(POSITIVE_INTEGER), true);
  expect(path, c, where, 'calibration_ms', nullOr(POSITIVE), true);
  expect(path, c, where, 'calibration_samples_ms', listOf(POSITIVE), true);
  expect(
    path,
    c,
    where,
    'median_ci95_ms',
    nullOr([(v) => Array.isArray(v) && v.length === 2 && v.every(POSITIVE[0]), 'two positive numbers']),
    true,
  );
  const key = `${c.model} ${c.mode} n=${c.seq_len}`;
  if (seen.has(key))
    throw new ResultsFileError(path, `${path}: cases[${index}] repeats the case ${key} of cases[${seen.get(key)}]`);
  seen.set(key, index);
}

function checkCalibration(path: string, calibration: unknown, where = 'calibration'): void {
  if (calibration === null) return;
  if (!isObject(calibration))
    throw new ResultsFileError(
      path,
      `${path}: ${where === 'calibration' ? '"calibration"' : where} must be an object or null`,
    );
  const field = (key: string, check: Check) => expect(path, calibration, `${where}.`, key, check);
  field('description', STRING);
  for (const key of ['flops', 'median_ms', 'gflops_per_s']) field(key, POSITIVE);
  field('samples_ms', nonEmptyListOf(POSITIVE));
  // Absent in runs from before they were recorded.
  expect(path, calibration, 'calibration.', 'spread', NON_NEGATIVE, true);
  for (const key of ['load_before', 'load_after'])
    expect(path, calibration, 'calibration.', key, nullOr(NON_NEGATIVE), true);
}

/** sweep.adaptive (--target-ci), absent or null for a fixed count of repeats. */
function checkAdaptive(path: string, sweep: Record<string, unknown>): void {
  if (sweep.adaptive === undefined || sweep.adaptive === null) return;
  if (!isObject(sweep.adaptive)) throw new ResultsFileError(path, `${path}: sweep.adaptive must be an object or null`);
  expect(path, sweep.adaptive, 'sweep.adaptive.', 'target_ci', POSITIVE);
  expect(path, sweep.adaptive, 'sweep.adaptive.', 'max_repeats', POSITIVE_INTEGER);
  expect(path, sweep.adaptive, 'sweep.adaptive.', 'budget_s', POSITIVE);
}

/** A shard spec at `where` ('shard', 'shards[0].shard'): { index, count } with 1 <= index <= count. */
function checkShard(path: string, shard: unknown, where: string): void {
  const whole = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 1;
  if (
    !isObject(shard) ||
    !whole(shard.index) ||
    !whole(shard.count) ||
    (shard.index as number) > (shard.count as number) ||
    (shard.count as number) > MAX_SHARDS
  ) {
    throw new ResultsFileError(
      path,
      `${path}: ${where} must be { "index": i, "count": n } with 1 <= i <= n <= ${MAX_SHARDS} (got ${shown(shard)})`,
    );
  }
}

/** A merged run's shards, each with its shard, run id, environment and calibration; every case names one by its run_id. */
function checkShardRuns(path: string, shards: unknown, cases: unknown[]): void {
  if (!Array.isArray(shards)) throw new ResultsFileError(path, `${path}: "shards" must be a list`);
  const runIds = new Map<string, number>();
  shards.forEach((run: unknown, i) => {
    const where = `shards[${i}]`;
    if (!isObject(run)) throw new ResultsFileError(path, `${path}: ${where} is not an object`);
    checkShard(path, run.shard, `${where}.shard`);
    expect(path, run, `${where}.`, 'run_id', NAME);
    if (runIds.has(run.run_id as string)) {
      throw new ResultsFileError(
        path,
        `${path}: ${where}.run_id ${JSON.stringify(run.run_id)} repeats that of shards[${runIds.get(run.run_id as string)}]`,
      );
    }
    runIds.set(run.run_id as string, i);
    if (!isObject(run.environment)) throw new ResultsFileError(path, `${path}: ${where}.environment must be an object`);
    expect(path, run.environment, `${where}.environment.`, 'backend', STRING);
    checkCalibration(path, run.calibration, `${where}.calibration`);
  });
  cases.forEach((c, i) => {
    const runId = (c as { run_id: unknown }).run_id;
    if (!runIds.has(runId as string))
      throw new ResultsFileError(
        path,
        `${path}: cases[${i}].run_id ${JSON.stringify(runId)} names none of the merged shards`,
      );
  });
}

/** Parses and checks the text of a results.json; `path` only names it in messages. */
export function parseResults(text: string, path: string): ResultsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const place = jsonErrorPlace(err);
    throw new ResultsFileError(path, `${path} is not valid JSON (truncated or corrupted?)${place ? `: ${place}` : ''}`);
  }
  if (nestedDeeper(data, MAX_DEPTH))
    throw new ResultsFileError(path, `${path}: nested more than ${MAX_DEPTH} levels deep`);
  if (!isObject(data) || data.format !== 'bsbr-results') {
    throw new ResultsFileError(path, `${path} is not a bsbr results file (no "format": "bsbr-results")`);
  }
  if (data.version !== 1)
    throw new ResultsFileError(path, `${path} has results format version ${data.version}; this bsbr reads version 1`);
  if (!Array.isArray(data.cases)) throw new ResultsFileError(path, `${path} has no "cases" array`);
  expect(path, data, '', 'run_id', NAME);
  expect(path, data, '', 'created_at', STRING);
  expect(path, data, '', 'command', listOf(STRING));
  const environment = section(path, data, 'environment');
  for (const key of ENVIRONMENT_STRINGS) expect(path, environment, 'environment.', key, STRING);
  expect(path, environment, 'environment.', 'cpu_count', POSITIVE_INTEGER);
  // Absent in runs from before the threads were recorded (wasm ran on one then).
  expect(path, environment, 'environment.', 'threads', nullOr(POSITIVE_INTEGER), true);
  expect(path, environment, 'environment.', 'total_memory_bytes', POSITIVE);
  expect(path, environment, 'environment.', 'git_commit', nullOr(STRING));
  // Absent in runs from before they were recorded.
  expect(
    path,
    environment,
    'environment.',
    'git_modified',
    nullOr([(v) => typeof v === 'boolean', 'true or false']),
    true,
  );
  expect(path, environment, 'environment.', 'code_sha256', nullOr(STRING), true);
  expect(path, environment, 'environment.', 'adapter', [(v) => v === null || isObject(v), 'an object or null'], true);
  section(path, data, 'config');
  const sweep = section(path, data, 'sweep');
  expect(path, sweep, 'sweep.', 'models', listOf(MODEL_NAME));
  expect(path, sweep, 'sweep.', 'seq_lengths', listOf(POSITIVE_INTEGER));
  expect(path, sweep, 'sweep.', 'modes', listOf(MODE));
  for (const key of ['models', 'seq_lengths', 'modes']) {
    if ((sweep[key] as unknown[]).length === 0) throw new ResultsFileError(path, `${path}: sweep.${key} is empty`);
  }
  expect(path, sweep, 'sweep.', 'batch_size', POSITIVE_INTEGER);
  expect(path, sweep, 'sweep.', 'warmup', COUNT);
  expect(path, sweep, 'sweep.', 'repeats', POSITIVE_INTEGER);
  expect(path, sweep, 'sweep.', 'time_limit_s', nullOr(POSITIVE));
  expect(path, sweep, 'sweep.', 'max_memory_mb', nullOr(POSITIVE));
  // Absent in runs from before --weights existed.
  expect(path, sweep, 'sweep.', 'weights_file', nullOr(STRING), true);
  expect(path, sweep, 'sweep.', 'weights_sha256', nullOr(SHA256), true);
  checkAdaptive(path, sweep);
  expect(path, sweep, 'sweep.', 'threads', nullOr(POSITIVE_INTEGER), true);
  checkCalibration(path, data.calibration);
  if (data.shard !== undefined) checkShard(path, data.shard, 'shard');
  const seen = new Map<string, number>();
  data.cases.forEach((c, i) => checkCase(path, c, i, seen));
  if (data.shards !== undefined) checkShardRuns(path, data.shards, data.cases);
  return data as unknown as ResultsFile;
}

/** A results file is refused past this size (a large sweep with every raw sample is a few MB). */
const MAX_RESULTS_BYTES = 256 * MiB;

/** The text of a results file: a regular file of bounded size (a FIFO, a device, /dev/zero are refused). */
export function readResultsText(path: string): string {
  return readRegularFile(path, 'results file', MAX_RESULTS_BYTES).toString('utf8');
}

/** Reads and checks a results.json, with a clear error when it is missing, truncated or malformed. */
export function readResults(path: string): ResultsFile {
  return parseResults(readResultsText(path), path);
}
