/** The files of one analysis, made first and then written together with their record, atomically. */
import * as path from 'path';
import { makeFolder } from '../io/make_folder';
import { FileContent, writeFilesAtomic } from '../io/write_files';
import { withAnalysisRecord } from './analysis_record';

export class AnalysisFiles {
  /** The files added, relative to outDir, in order. */
  readonly names: string[] = [];
  /** One-line remarks on the files: PNGs not written, chart warnings (notices, for stderr). */
  readonly notices: string[] = [];
  private readonly contents: Array<[string, FileContent]> = [];

  constructor(readonly outDir: string) {}

  add(name: string, content: FileContent): void {
    this.contents.push([path.join(this.outDir, name), content]);
    this.names.push(name);
  }

  /** Creates outDir if needed and writes every file and the record: a failure (a full disk) leaves every file as it was. */
  writeAll(): void {
    makeFolder(this.outDir);
    writeFilesAtomic(withAnalysisRecord(this.outDir, this.contents));
  }
}
