/**
 * Atomic writes: each file is written under a temporary name beside its target, and only when every
 * one of them has been written in full are they renamed over their targets. A failure (a full disk)
 * removes the temporary files and leaves every target as it was. A process killed mid-write
 * (SIGKILL) leaves its temporary file: the next write into the same folder removes it.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { describeSystemError, FileError } from './file_error';
import { pidAlive } from './pid_alive';

export type FileContent = string | Buffer;

/** The longest file name Linux, macOS and Windows file systems take, in bytes. */
const NAME_MAX = 255;

/** A temporary file of this module: `.<target's name, cut to fit>.<pid>.<8 hex>.bsbr-tmp`. */
const TEMPORARY = /^\..*\.(\d+)\.[0-9a-f]{8}\.bsbr-tmp$/s;

/** Whether `name` is a temporary file of this module (one a killed writer may have left). */
export function isTemporary(name: string): boolean {
  return TEMPORARY.test(name);
}

/** The longest start of `text` that is at most `bytes` long in UTF-8 (no character cut in two). */
function fitBytes(text: string, bytes: number): string {
  let fitted = '';
  for (const char of text) {
    if (Buffer.byteLength(fitted + char) > bytes) break;
    fitted += char;
  }
  return fitted;
}

/** A fresh temporary name beside `target` for the writer `pid`, within the file-name limit whatever the target's. */
export function temporaryName(target: string, pid = process.pid): string {
  const suffix = `.${pid}.${randomBytes(4).toString('hex')}.bsbr-tmp`;
  return path.join(path.dirname(target), `.${fitBytes(path.basename(target), NAME_MAX - 1 - suffix.length)}${suffix}`);
}

/** Removes the temporary files in `dir` whose writer no longer runs (on this machine); a failure is left for the next write. */
function removeAbandoned(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = TEMPORARY.exec(name);
    if (match && !pidAlive(Number(match[1]))) removeQuietly(path.join(dir, name));
  }
}

/** Removes a file if it can; never throws (it runs while another error is being reported). */
function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // Left for removeAbandoned of a later write.
  }
}

/** Writes every [path, content] pair, all or none (renames cannot run out of space). */
export function writeFilesAtomic(files: ReadonlyArray<readonly [string, FileContent]>): void {
  new Set(files.map(([file]) => path.dirname(file))).forEach(removeAbandoned);
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
    for (const [temporary] of written) removeQuietly(temporary);
    throw new FileError(target, `cannot write ${target}: ${describeSystemError(err)}`);
  }
}

export function writeFileAtomic(file: string, content: FileContent): void {
  writeFilesAtomic([[file, content]]);
}
