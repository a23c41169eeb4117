/**
 * A real small disk for the full-disk tests: a tmpfs of a few KB mounted on a temporary folder.
 * Mounting needs root (CAP_SYS_ADMIN). Where it is refused the tests skip with a notice, except under
 * CI=true (.ci/run runs as root), where that is a failure.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface SmallDisk {
  dir: string;
  unmount(): void;
}

/** Mounts a tmpfs of `kilobytes` KB; null where mounting is not permitted (outside CI). */
function mountSmallDisk(kilobytes: number): SmallDisk | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsbr-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kilobytes}k`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    fs.rmdirSync(dir);
    if (process.env.CI) throw new Error(`cannot mount a tmpfs for the full-disk tests (they run as root in CI): ${(err as Error).message}`);
    console.warn(`full-disk tests skipped: mounting a tmpfs needs root (${String((err as Error).message).split('\n')[0]}); CI=true makes this a failure`);
    return null;
  }
  return {
    dir,
    unmount() {
      execFileSync('umount', [dir]);
      fs.rmdirSync(dir);
    },
  };
}

/** A small disk for the tests of one file: mounted before them, unmounted after; the getter gives null where it cannot be mounted. */
export function useSmallDisk(kilobytes: number): () => SmallDisk | null {
  let disk: SmallDisk | null = null;
  beforeAll(() => {
    disk = mountSmallDisk(kilobytes);
  });
  afterAll(() => disk?.unmount());
  return () => disk;
}

/** Fills the disk under `dir` to the last byte with a file named `name` (write() fills what is left before it fails). */
export function fillDisk(dir: string, name = 'filler'): void {
  const fd = fs.openSync(path.join(dir, name), 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
}
