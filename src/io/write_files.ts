/**
 * Atomic writes: each file is written under a temporary name beside its target, and only when every
 * one of them has been written in full are they renamed over their targets. A failure (a full disk)
 * removes the temporary files and leaves every target as it was.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { describeSystemError, FileError } from './file_error';

export type FileContent = string | Buffer;

function temporaryName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes every [path, content] pair, all or none (renames cannot run out of space). */
export function writeFilesAtomic(files: ReadonlyArray<readonly [string, FileContent]>): void {
  const written: Array<[string, string]> = [];
  let target = '';
  try {
    for (const [file, content] of files) {
      target = file;
      const temporary = temporaryName(file);
      written.push([temporary, file]);
      fs.writeFileSync(temporary, content, { flag: 'wx' });
    }
    for (const [temporary, file] of written) {
      target = file;
      fs.renameSync(temporary, file);
    }
  } catch (err) {
    for (const [temporary] of written) fs.rmSync(temporary, { force: true });
    throw new FileError(target, `cannot write ${target}: ${describeSystemError(err)}`);
  }
}

export function writeFileAtomic(file: string, content: FileContent): void {
  writeFilesAtomic([[file, content]]);
}
