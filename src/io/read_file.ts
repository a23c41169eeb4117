/**
 * Bounded reads of regular files only. A FIFO, a device (/dev/zero) or a folder is refused without
 * blocking on it, and no read goes past a limit the caller sets.
 */
import * as fs from 'fs';
import { describeSystemError, FileError } from './file_error';

export const MiB = 2 ** 20;

export interface OpenFile {
  path: string;
  fd: number;
  /** The size fstat reports (0 for files under /proc, whose content is made as it is read). */
  size: number;
}

function kind(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Opens `path` for reading; `what` names it in messages ('results file'). The caller closes it. */
export function openRegularFile(path: string, what: string): OpenFile {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    fd = fs.openSync(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FileError(
      path,
      code === 'ENOENT' ? `${what} not found: ${path}` : `cannot read ${what} ${path}: ${describeSystemError(err)}`,
    );
  }
  const stat = fs.fstatSync(fd);
  if (!stat.isFile()) {
    fs.closeSync(fd);
    throw new FileError(path, `cannot read ${what} ${path}: it is ${kind(stat)}, not a regular file`);
  }
  return { path, fd, size: stat.size };
}

/** Up to `length` bytes from `position` (fewer where the file ends). */
export function readAt(file: OpenFile, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const n = fs.readSync(file.fd, buffer, filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}

/** The whole of a regular file, refused when it holds more than `maxBytes` (counted as read, not as reported). */
export function readRegularFile(path: string, what: string, maxBytes: number): Buffer {
  const file = openRegularFile(path, what);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = readAt(file, total, Math.min(MiB, maxBytes + 1 - total));
      if (chunk.length === 0) break;
      chunks.push(chunk);
      total += chunk.length;
      if (total > maxBytes)
        throw new FileError(path, `cannot read ${what} ${path}: it is larger than ${maxBytes / MiB} MiB`);
    }
    return Buffer.concat(chunks);
  } finally {
    fs.closeSync(file.fd);
  }
}
