/**
 * The record an analysis leaves in its folder (.bsbr-analysis): each file it wrote there with the
 * SHA-256 of its bytes. `bsbr analyze --out` writes again only into a folder whose files it can
 * tell are an analysis's, unchanged since: a user's own report.html, or one they edited, is never
 * overwritten.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { fileSha256 } from '../io/file_sha256';
import { MiB, readRegularFile } from '../io/read_file';
import { FileContent } from '../io/write_files';

export const ANALYSIS_RECORD = '.bsbr-analysis';

const FORMAT = 'bsbr-analysis';

/** A record names a few dozen files: a longer one is not one bsbr wrote. */
const MAX_RECORD_BYTES = MiB;

/** `contents` (each [path in outDir, content]) with their record, to be written together. */
export function withAnalysisRecord(
  outDir: string,
  contents: ReadonlyArray<[string, FileContent]>,
): Array<[string, FileContent]> {
  const files = Object.fromEntries(
    contents.map(([file, content]) => [path.basename(file), createHash('sha256').update(content).digest('hex')]),
  );
  return [...contents, [path.join(outDir, ANALYSIS_RECORD), `${JSON.stringify({ format: FORMAT, files }, null, 2)}\n`]];
}

/** The record of `dir` (file name to SHA-256); null where there is none, or not one bsbr wrote. */
function readRecord(dir: string): Map<string, string> | null {
  try {
    const record = JSON.parse(
      readRegularFile(path.join(dir, ANALYSIS_RECORD), 'analysis record', MAX_RECORD_BYTES).toString('utf8'),
    );
    if (record?.format !== FORMAT || typeof record.files !== 'object' || record.files === null) return null;
    return new Map(
      Object.entries(record.files as Record<string, unknown>).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  } catch {
    return null;
  }
}

/** Whether a name in `dir` is its record or a file the record names, with the bytes it recorded. */
export function analysisFiles(dir: string): (name: string) => boolean {
  const record = readRecord(dir);
  return (name) => {
    if (record === null) return false;
    if (name === ANALYSIS_RECORD) return true;
    const recorded = record.get(name);
    try {
      return recorded !== undefined && fileSha256(path.join(dir, name), 'file') === recorded;
    } catch {
      return false;
    }
  };
}
