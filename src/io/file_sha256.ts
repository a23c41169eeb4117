/** The SHA-256 of a regular file's bytes, read in bounded chunks (a FIFO or a device is refused, not waited on). */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { MiB, openRegularFile, readAt } from './read_file';

/** Lowercase hex; `what` names the file in messages ('safetensors file'). */
export function fileSha256(path: string, what: string): string {
  const file = openRegularFile(path, what);
  try {
    const hash = createHash('sha256');
    for (let position = 0; ;) {
      const chunk = readAt(file, position, 16 * MiB);
      if (chunk.length === 0) break;
      hash.update(chunk);
      position += chunk.length;
    }
    return hash.digest('hex');
  } finally {
    fs.closeSync(file.fd);
  }
}
