import * as fs from 'fs';
import { CASE_COLUMNS, CaseResult, MODES, ResultsFile } from './schema';

/** A results file that cannot be used: missing, truncated or not in the bsbr-results format. */
export class ResultsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsFileError';
  }
}

const STATUSES = ['ok', 'error', 'skipped'];

function checkCase(c: unknown, index: number, path: string): CaseResult {
  const where = `${path}: cases[${index}]`;
  if (typeof c !== 'object' || c === null) throw new ResultsFileError(`${where} is not an object`);
  const row = c as Record<string, unknown>;
  for (const column of CASE_COLUMNS) {
    if (!(column in row)) throw new ResultsFileError(`${where} has no '${column}'`);
  }
  if (typeof row.model !== 'string') throw new ResultsFileError(`${where}.model must be a string`);
  if (!MODES.includes(row.mode as never)) throw new ResultsFileError(`${where}.mode must be one of ${MODES.join(', ')}`);
  if (!STATUSES.includes(row.status as string)) throw new ResultsFileError(`${where}.status must be one of ${STATUSES.join(', ')}`);
  if (!Number.isInteger(row.seq_len) || (row.seq_len as number) <= 0) throw new ResultsFileError(`${where}.seq_len must be a positive integer`);
  if (row.status === 'ok') {
    for (const key of ['median_ms', 'min_ms', 'max_ms', 'mean_ms', 'std_ms'] as const) {
      if (typeof row[key] !== 'number' || !Number.isFinite(row[key])) throw new ResultsFileError(`${where}.${key} must be a number for an ok case`);
    }
  }
  if (!Array.isArray(row.samples_ms) || !row.samples_ms.every((s) => typeof s === 'number')) {
    throw new ResultsFileError(`${where}.samples_ms must be an array of numbers`);
  }
  return row as unknown as CaseResult;
}

function checkCalibration(calibration: unknown, path: string): void {
  if (calibration === null) return;
  const c = calibration as Record<string, unknown> | undefined;
  if (typeof c !== 'object') throw new ResultsFileError(`${path}: "calibration" must be an object or null`);
  for (const key of ['flops', 'median_ms', 'gflops_per_s'] as const) {
    if (typeof c[key] !== 'number' || !((c[key] as number) > 0)) throw new ResultsFileError(`${path}: calibration.${key} must be a positive number`);
  }
  if (!Array.isArray(c.samples_ms) || !c.samples_ms.every((s) => typeof s === 'number')) {
    throw new ResultsFileError(`${path}: calibration.samples_ms must be an array of numbers`);
  }
}

/** Parses and checks the text of a results.json; `path` only names it in messages. */
export function parseResults(text: string, path: string): ResultsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ResultsFileError(`${path} is not valid JSON (truncated or corrupted?): ${(err as Error).message}`);
  }
  const file = data as Partial<ResultsFile> | null;
  if (typeof file !== 'object' || file === null || file.format !== 'bsbr-results') {
    throw new ResultsFileError(`${path} is not a bsbr results file (no "format": "bsbr-results")`);
  }
  if (file.version !== 1) throw new ResultsFileError(`${path} has results format version ${file.version}; this bsbr reads version 1`);
  if (!Array.isArray(file.cases)) throw new ResultsFileError(`${path} has no "cases" array`);
  if (typeof file.environment !== 'object' || file.environment === null) throw new ResultsFileError(`${path} has no "environment"`);
  if (typeof file.environment.backend !== 'string') throw new ResultsFileError(`${path}: environment.backend must be a string`);
  const threads = file.environment.threads;
  if (threads !== undefined && threads !== null && !(Number.isInteger(threads) && threads > 0)) {
    throw new ResultsFileError(`${path}: environment.threads must be a positive integer or null`);
  }
  for (const key of ['config', 'sweep'] as const) {
    if (typeof file[key] !== 'object' || file[key] === null) throw new ResultsFileError(`${path} has no "${key}" object`);
  }
  checkCalibration(file.calibration, path);
  file.cases.forEach((c, i) => checkCase(c, i, path));
  return file as ResultsFile;
}

/** Reads and checks a results.json, with a clear error when it is missing, truncated or malformed. */
export function readResults(path: string): ResultsFile {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ResultsFileError(code === 'ENOENT' ? `results file not found: ${path}` : `cannot read ${path}: ${(err as Error).message}`);
  }
  return parseResults(text, path);
}
