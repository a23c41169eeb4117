import * as fs from 'fs';
import * as path from 'path';
import { describeSystemError, FileError } from './file_error';

function createOne(dir: string): void {
  try {
    fs.mkdirSync(dir);
  } catch (err) {
    // Made meanwhile by another process: as good.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(dir).isDirectory()) throw err;
  }
}

/**
 * Creates `dir` and its missing parents one at a time, returning the first folder it created
 * (undefined when `dir` existed). Not fs.mkdirSync's recursive mode: under /proc that loops forever.
 */
export function makeFolder(dir: string): string | undefined {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  try {
    missing.forEach(createOne);
  } catch (err) {
    removeFolders(dir, missing[0]);
    throw new FileError(dir, `cannot create the folder ${dir}: ${describeSystemError(err)}`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new FileError(dir, `cannot use ${dir} as a folder: it is a file`);
  return missing[0];
}

/** Removes `dir` and its parents up to `top` (what makeFolder created), each only while empty. */
export function removeFolders(dir: string, top: string | undefined): void {
  if (top === undefined) return;
  for (let d = path.resolve(dir); d.length >= top.length; d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch {
      return;
    }
  }
}
