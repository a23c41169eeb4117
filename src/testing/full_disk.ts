/**
 * A real small disk for the full-disk tests: a tmpfs of a few KB mounted on a temporary folder.
 * Mounting needs root (CAP_SYS_ADMIN). Where it is refused the tests are skipped saying why, except
 * under CI (.ci/run runs as root), where that is a failure.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { itOrSkip, TestDefiner } from '../../models/testing/skip';

export interface SmallDisk {
  dir: string;
  unmount(): void;
}

/** Mounts a tmpfs of `kilobytes` KB on a new temporary folder; throws where mounting is not permitted. */
function mountSmallDisk(kilobytes: number): SmallDisk {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsbr-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kilobytes}k`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    fs.rmdirSync(dir);
    const said = String((err as { stderr?: Buffer }).stderr ?? '').trim() || (err as Error).message;
    throw new Error(`cannot mount a tmpfs for the full-disk tests (mounting needs root): ${said.split('\n')[0]}`);
  }
  return {
    dir,
    unmount() {
      execFileSync('umount', [dir]);
      fs.rmdirSync(dir);
    },
  };
}

/** Why no tmpfs can be mounted here (a small one is mounted and unmounted to find out), or null where one can; null under CI. */
function unmountableHere(): string | null {
  if (process.env.CI) return null;
  try {
    mountSmallDisk(4).unmount();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Call at the top of a describe (or file) whose tests need a small disk of `kilobytes` KB, and define
 * them with the `it` it returns: jest's own, the disk mounted before the tests and unmounted after,
 * where a tmpfs can be mounted here; elsewhere one that defines each test skipped, saying why.
 */
export function useSmallDisk(kilobytes: number): { it: TestDefiner; disk: () => SmallDisk } {
  const reason = unmountableHere();
  let disk: SmallDisk | undefined;
  if (reason === null) {
    beforeAll(() => {
      disk = mountSmallDisk(kilobytes);
    });
    afterAll(() => disk?.unmount());
  }
  return { it: itOrSkip(reason), disk: () => disk! };
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
