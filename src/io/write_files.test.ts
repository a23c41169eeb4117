import * as fs from 'fs';
import * as path from 'path';
import { fillDisk, useSmallDisk } from '../testing/full_disk';
import { tempDir } from '../testing/cli';
import { FileError } from './file_error';
import { writeFileAtomic, writeFilesAtomic } from './write_files';

test('writes every file, and replaces an old one whole', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'a.txt'), 'old');
  writeFilesAtomic([[path.join(dir, 'a.txt'), 'new a'], [path.join(dir, 'b.bin'), Buffer.from([1, 2])]]);
  expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('new a');
  expect([...fs.readFileSync(path.join(dir, 'b.bin'))]).toEqual([1, 2]);
  expect(fs.readdirSync(dir).sort()).toEqual(['a.txt', 'b.bin']);
});

test('one file that cannot be written: no file is replaced and no temporary file is left', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'a.txt'), 'old');
  const write = () => writeFilesAtomic([[path.join(dir, 'a.txt'), 'new'], [path.join(dir, 'missing', 'b.txt'), 'b']]);
  expect(write).toThrow(FileError);
  expect(write).toThrow(`cannot write ${path.join(dir, 'missing', 'b.txt')}: no such file or directory (ENOENT)`);
  expect(fs.readdirSync(dir)).toEqual(['a.txt']);
  expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('old');
});

describe('on a full disk (a real tmpfs)', () => {
  const smallDisk = useSmallDisk(64);

  test('a write past the space left fails in one line, leaves the old file whole and no temporary file', () => {
    const disk = smallDisk();
    if (!disk) return;
    const file = path.join(disk.dir, 'results.json');
    writeFileAtomic(file, 'the finished cases');
    // 64 KB of disk: a 1 MB file cannot fit.
    const write = () => writeFileAtomic(file, 'x'.repeat(2 ** 20));
    expect(write).toThrow(FileError);
    expect(write).toThrow(`cannot write ${file}: no space left on device (ENOSPC)`);
    expect(fs.readdirSync(disk.dir)).toEqual(['results.json']);
    expect(fs.readFileSync(file, 'utf8')).toBe('the finished cases');
  });

  test('a full disk: the first byte already fails', () => {
    const disk = smallDisk();
    if (!disk) return;
    fillDisk(disk.dir);
    expect(() => writeFileAtomic(path.join(disk.dir, 'small.txt'), 'x')).toThrow('no space left on device (ENOSPC)');
    expect(fs.existsSync(path.join(disk.dir, 'small.txt'))).toBe(false);
  });
});
