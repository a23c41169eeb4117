import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../testing/cli';
import { FileError } from './file_error';
import { makeFolder, removeFolders } from './make_folder';

test('creates missing parents and returns the first folder it created', () => {
  const dir = tempDir();
  expect(makeFolder(path.join(dir, 'a', 'b', 'c'))).toBe(path.join(dir, 'a'));
  expect(fs.statSync(path.join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true);
  expect(makeFolder(path.join(dir, 'a', 'b'))).toBeUndefined();
});

test('a folder under /proc fails at once (fs.mkdirSync recursive loops forever there)', () => {
  expect(() => makeFolder('/proc/bsbr-out/run')).toThrow(FileError);
  expect(() => makeFolder('/proc/bsbr-out/run')).toThrow(
    'cannot create the folder /proc/bsbr-out/run: no such file or directory (ENOENT)',
  );
});

test('a path through a file, or a file itself, is refused', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'f'), '');
  expect(() => makeFolder(path.join(dir, 'f', 'run'))).toThrow(/not a directory \(ENOTDIR\)/);
  expect(() => makeFolder(path.join(dir, 'f'))).toThrow(`cannot use ${path.join(dir, 'f')} as a folder: it is a file`);
});

test('removeFolders removes what was created, only while empty', () => {
  const dir = tempDir();
  const top = makeFolder(path.join(dir, 'a', 'b'));
  fs.writeFileSync(path.join(dir, 'a', 'keep'), '');
  removeFolders(path.join(dir, 'a', 'b'), top);
  expect(fs.readdirSync(path.join(dir, 'a'))).toEqual(['keep']);
  fs.rmSync(path.join(dir, 'a', 'keep'));
  removeFolders(path.join(dir, 'a'), top);
  expect(fs.readdirSync(dir)).toEqual([]);
});
