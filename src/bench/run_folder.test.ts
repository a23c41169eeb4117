import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tempDir } from '../testing/cli';
import { claimDefaultFolder, claimNewFolder, claimResumedFolder, LOCK_FILE } from './run_folder';

test('a new folder is created and locked; release unlocks it and removes it while empty', () => {
  const dir = path.join(tempDir(), 'a', 'run');
  const folder = claimNewFolder(dir);
  expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({
    pid: process.pid,
    hostname: os.hostname(),
  });
  folder.release();
  expect(fs.existsSync(path.dirname(dir))).toBe(false);
});

test('a second writer of a held folder is refused, naming the owner; after release it may take it', () => {
  const dir = path.join(tempDir(), 'run');
  const first = claimNewFolder(dir);
  expect(() => claimNewFolder(dir)).toThrow(
    new RegExp(`^--out: '${dir}' is in use by another bsbr compare \\(process ${process.pid} on `),
  );
  expect(() => claimResumedFolder(dir)).toThrow(/^--resume: .* is in use by another bsbr compare/);
  first.release();
  claimNewFolder(dir).release();
});

test('a lock left by a process that is gone is taken over', () => {
  const dir = tempDir();
  // A pid that existed and has exited.
  const gone = spawnSync(process.execPath, ['-e', '0']).pid;
  fs.writeFileSync(
    path.join(dir, LOCK_FILE),
    JSON.stringify({ pid: gone, hostname: os.hostname(), started_at: '2025-01-01T00:00:00.000Z' }),
  );
  const folder = claimResumedFolder(dir);
  expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
  folder.release();
  expect(fs.readdirSync(dir)).toEqual([]);
});

test("a folder with anything in it (a user's report.html) is refused and left as it was", () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'report.html'), 'mine');
  expect(() => claimNewFolder(dir)).toThrow(
    `--out: '${dir}' is not empty (it holds report.html); a new run needs a new or empty folder`,
  );
  expect(fs.readdirSync(dir)).toEqual(['report.html']);
  fs.writeFileSync(path.join(dir, 'results.json'), '{}');
  expect(() => claimNewFolder(dir)).toThrow(
    `--out: '${dir}' already holds a results.json (finish it with --resume ${dir}`,
  );
});

test('an --out that is a file, or under /proc, is refused before anything runs', () => {
  const file = path.join(tempDir(), 'file');
  fs.writeFileSync(file, 'x');
  expect(() => claimNewFolder(file)).toThrow(
    `--out: cannot write to '${file}': cannot use ${file} as a folder: it is a file`,
  );
  expect(() => claimNewFolder('/proc/bsbr/run')).toThrow(
    "--out: cannot write to '/proc/bsbr/run': cannot create the folder /proc/bsbr/run: no such file or directory (ENOENT)",
  );
});

test('default folders of runs started in the same second are distinct', () => {
  const parent = path.join(tempDir(), 'results');
  const a = claimDefaultFolder(parent, '2025-01-01T00-00-00Z');
  const b = claimDefaultFolder(parent, '2025-01-01T00-00-00Z');
  expect([path.basename(a.dir), path.basename(b.dir)]).toEqual(['2025-01-01T00-00-00Z', '2025-01-01T00-00-00Z-2']);
  a.release();
  b.release();
  expect(fs.readdirSync(parent)).toEqual([]);
});

describe('a lock file that is not one bsbr wrote is refused at once, in one line', () => {
  const option = (claim: () => unknown) => {
    try {
      claim();
    } catch (err) {
      return err as Error;
    }
    throw new Error('not refused');
  };

  test('a FIFO (it would block the read for good) and a link to /dev/zero (an endless read)', () => {
    const dir = tempDir();
    const lock = path.join(dir, LOCK_FILE);
    execFileSync('mkfifo', [lock]);
    expect(option(() => claimResumedFolder(dir)).message).toBe(
      `--resume: ${lock} is not a bsbr lock file (it is a FIFO, not a regular file); remove it if no bsbr compare writes to '${dir}'`,
    );
    fs.rmSync(lock);
    fs.symlinkSync('/dev/zero', lock);
    expect(option(() => claimNewFolder(dir)).message).toBe(
      `--out: ${lock} is not a bsbr lock file (it is a device, not a regular file); remove it if no bsbr compare writes to '${dir}'`,
    );
  });

  test('a large file is read no further than a lock can be long', () => {
    const dir = tempDir();
    const lock = path.join(dir, LOCK_FILE);
    fs.writeFileSync(lock, `{"pid": 1, "hostname": "${'x'.repeat(10_000)}"}`);
    expect(option(() => claimResumedFolder(dir)).message).toMatch(
      /^--resume: .* is not a bsbr lock file \(it holds more than 4096 bytes\)/,
    );
  });

  test('a lock holding {} or two lines names what it holds, not "process undefined on undefined"', () => {
    const dir = tempDir();
    const lock = path.join(dir, LOCK_FILE);
    fs.writeFileSync(lock, '{}');
    expect(option(() => claimResumedFolder(dir)).message).toBe(
      `--resume: ${lock} is not a bsbr lock file (it holds "{}", not a pid, hostname and start time); remove it if no bsbr compare writes to '${dir}'`,
    );
    fs.writeFileSync(lock, `${JSON.stringify({ pid: 1, hostname: 'h', started_at: 's' })}\nmore`);
    expect(option(() => claimResumedFolder(dir)).message).toMatch(
      /is not a bsbr lock file \(it holds .*, not a pid, hostname and start time\)/,
    );
    expect(fs.readFileSync(lock, 'utf8')).toMatch(/more$/);
  });

  test('an empty lock is one being written this instant: refused as in use, and kept', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, LOCK_FILE), '');
    expect(() => claimResumedFolder(dir)).toThrow(/is in use by another bsbr compare \(another process\)/);
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(true);
  });
});
