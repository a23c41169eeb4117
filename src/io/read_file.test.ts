import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../testing/cli';
import { FileError } from './file_error';
import { readRegularFile } from './read_file';

test('reads a regular file whole', () => {
  const file = path.join(tempDir(), 'a.json');
  fs.writeFileSync(file, '{"a": 1}');
  expect(readRegularFile(file, 'results file', 100).toString()).toBe('{"a": 1}');
});

test('refuses /dev/zero, a FIFO with no writer and a folder at once, without reading or waiting', () => {
  const dir = tempDir();
  const fifo = path.join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  for (const [file, kind] of [
    ['/dev/zero', 'a device'],
    [fifo, 'a FIFO'],
    [dir, 'a folder'],
  ]) {
    expect(() => readRegularFile(file, 'results file', 2 ** 20)).toThrow(FileError);
    expect(() => readRegularFile(file, 'results file', 2 ** 20)).toThrow(
      `cannot read results file ${file}: it is ${kind}, not a regular file`,
    );
  }
});

test('bounds the read by what it reads, not by the size the file reports (/proc files report 0)', () => {
  expect(fs.statSync('/proc/self/status').size).toBe(0);
  expect(readRegularFile('/proc/self/status', 'results file', 2 ** 20).toString()).toMatch(/^Name:/);
  expect(() => readRegularFile('/proc/self/status', 'results file', 16)).toThrow(
    'cannot read results file /proc/self/status: it is larger than',
  );
});

test('names a missing file', () => {
  expect(() => readRegularFile('/nonexistent/results.json', 'results file', 100)).toThrow(
    'results file not found: /nonexistent/results.json',
  );
});
