import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fillDisk, useSmallDisk } from '../testing/full_disk';
import { tempDir } from '../testing/cli';
import { FileError } from './file_error';
import { temporaryName, writeFileAtomic, writeFilesAtomic } from './write_files';

test('writes every file, and replaces an old one whole', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'a.txt'), 'old');
  writeFilesAtomic([
    [path.join(dir, 'a.txt'), 'new a'],
    [path.join(dir, 'b.bin'), Buffer.from([1, 2])],
  ]);
  expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('new a');
  expect([...fs.readFileSync(path.join(dir, 'b.bin'))]).toEqual([1, 2]);
  expect(fs.readdirSync(dir).sort()).toEqual(['a.txt', 'b.bin']);
});

test('one file that cannot be written: no file is replaced and no temporary file is left', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'a.txt'), 'old');
  const write = () =>
    writeFilesAtomic([
      [path.join(dir, 'a.txt'), 'new'],
      [path.join(dir, 'missing', 'b.txt'), 'b'],
    ]);
  expect(write).toThrow(FileError);
  expect(write).toThrow(`cannot write ${path.join(dir, 'missing', 'b.txt')}: no such file or directory (ENOENT)`);
  expect(fs.readdirSync(dir)).toEqual(['a.txt']);
  expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('old');
});

test('a target whose name is as long as a file name may be (255 bytes) is written, and leaves no temporary file', () => {
  const dir = tempDir();
  const file = path.join(dir, `${'é'.repeat(125)}.json`);
  writeFileAtomic(file, 'a');
  writeFileAtomic(file, 'b');
  expect(fs.readFileSync(file, 'utf8')).toBe('b');
  expect(fs.readdirSync(dir)).toEqual([path.basename(file)]);
});

test('a name past the limit fails in one line, from the write, not from the cleanup', () => {
  const file = path.join(tempDir(), 'x'.repeat(256));
  expect(() => writeFileAtomic(file, 'a')).toThrow(`cannot write ${file}: name too long (ENAMETOOLONG)`);
});

test("a temporary file left by a process killed mid-write is removed by the next write beside it; a live writer's is kept", () => {
  const dir = tempDir();
  const gone = spawnSync(process.execPath, ['-e', '0']).pid;
  writeFileAtomic(path.join(dir, 'baseline.json'), 'old');
  const [written] = fs.readdirSync(dir);
  const left = temporaryName(path.join(dir, 'baseline.json'), gone);
  const live = temporaryName(path.join(dir, 'other.json'), process.ppid);
  fs.writeFileSync(left, 'half a fi');
  fs.writeFileSync(live, 'being written');
  writeFileAtomic(path.join(dir, 'baseline.json'), 'new');
  expect(fs.readdirSync(dir).sort()).toEqual([written, path.basename(live)].sort());
});

describe('on a full disk (a real tmpfs)', () => {
  const small = useSmallDisk(64);

  small.it('a write past the space left fails in one line, leaves the old file whole and no temporary file', () => {
    const disk = small.disk();
    const file = path.join(disk.dir, 'results.json');
    writeFileAtomic(file, 'the finished cases');
    // 64 KB of disk: a 1 MB file cannot fit.
    const write = () => writeFileAtomic(file, 'x'.repeat(2 ** 20));
    expect(write).toThrow(FileError);
    expect(write).toThrow(`cannot write ${file}: no space left on device (ENOSPC)`);
    expect(fs.readdirSync(disk.dir)).toEqual(['results.json']);
    expect(fs.readFileSync(file, 'utf8')).toBe('the finished cases');
  });

  small.it('a full disk: the first byte already fails', () => {
    const disk = small.disk();
    fillDisk(disk.dir);
    expect(() => writeFileAtomic(path.join(disk.dir, 'small.txt'), 'x')).toThrow('no space left on device (ENOSPC)');
    expect(fs.existsSync(path.join(disk.dir, 'small.txt'))).toBe(false);
  });
});
