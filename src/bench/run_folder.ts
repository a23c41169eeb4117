/**
 * A run folder is written by one `bsbr compare` process at a time: the lock file names the owner
 * (pid, host, start). A second writer is refused; a lock whose process is gone (killed with SIGKILL,
 * the machine restarted) is taken over.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { othersEntries } from '../io/folder_entries';
import { makeFolder, removeFolders } from '../io/make_folder';
import { pidAlive } from '../io/pid_alive';
import { openRegularFile, readAt } from '../io/read_file';
import { UsageError } from '../options/usage_error';
import { RESULTS_JSON } from '../results/write';

export const LOCK_FILE = '.bsbr-lock';

interface LockOwner {
  pid: number;
  hostname: string;
  started_at: string;
}

/** A folder this process holds; release() gives it up (and removes the folders it created if still empty). */
export interface RunFolder {
  dir: string;
  release(): void;
}

/** The most a lock can hold: one line of JSON (a hostname is at most 255 bytes). */
const MAX_LOCK_BYTES = 4096;

function isOwner(value: unknown): value is LockOwner {
  const owner = value as Partial<LockOwner> | null;
  return (
    typeof owner === 'object' &&
    owner !== null &&
    Number.isSafeInteger(owner.pid) &&
    owner.pid! > 0 &&
    typeof owner.hostname === 'string' &&
    typeof owner.started_at === 'string'
  );
}

/**
 * The owner a lock names; 'empty' while its owner has created it but not yet written it, 'gone'
 * when it was removed meanwhile. Anything that is not a lock bsbr wrote (a FIFO, a device, a link
 * to /dev/zero, a longer or other text) is a UsageError for `option` (`dir` is the run folder),
 * without waiting on it or reading past the length of a lock.
 */
function readOwner(lock: string, dir: string, option: string): LockOwner | 'empty' | 'gone' {
  const refuse = (what: string) =>
    new UsageError(
      option,
      `${option}: ${lock} is not a bsbr lock file (${what}); remove it if no bsbr compare writes to '${dir}'`,
    );
  let text: string;
  try {
    const file = openRegularFile(lock, 'lock file');
    try {
      const bytes = readAt(file, 0, MAX_LOCK_BYTES + 1);
      if (bytes.length > MAX_LOCK_BYTES) throw refuse(`it holds more than ${MAX_LOCK_BYTES} bytes`);
      text = bytes.toString('utf8');
    } finally {
      fs.closeSync(file.fd);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if (!fs.existsSync(lock)) return 'gone';
    const reason = /: (it is .*)$/.exec((err as Error).message);
    throw refuse(reason ? reason[1] : (err as Error).message);
  }
  if (text === '') return 'empty';
  let owner: unknown;
  try {
    owner = /\n./s.test(text) ? undefined : JSON.parse(text);
  } catch {
    owner = undefined;
  }
  if (!isOwner(owner))
    throw refuse(
      `it holds ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text)}, not a pid, hostname and start time`,
    );
  return owner;
}

/** Whether the lock still names this process (a lock that cannot be read is not ours to remove). */
function ownedBy(lock: string, dir: string, owner: LockOwner): boolean {
  try {
    const read = readOwner(lock, dir, '--out');
    return typeof read === 'object' && read.pid === owner.pid;
  } catch {
    return false;
  }
}

/** Whether the owner may still be running: on this host, whether its pid exists; another host's cannot be told. */
function ownerAlive(owner: LockOwner): boolean {
  return owner.hostname !== os.hostname() || pidAlive(owner.pid);
}

/** Takes the lock of the existing folder `dir`, or throws a UsageError for `option` naming who holds it. */
function lock(dir: string, option: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  const mine: LockOwner = { pid: process.pid, hostname: os.hostname(), started_at: new Date().toISOString() };
  const text = JSON.stringify(mine);
  for (;;) {
    try {
      // O_EXCL: of two processes creating it at once, exactly one succeeds.
      fs.writeFileSync(file, text, { flag: 'wx' });
      return () => {
        if (ownedBy(file, dir, mine)) fs.rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new UsageError(option, `${option}: cannot write to '${dir}': ${(err as Error).message}`);
      }
    }
    const owner = readOwner(file, dir, option);
    if (owner === 'gone') continue;
    // Empty: being written this instant by its owner: not ours to remove.
    if (owner === 'empty' || ownerAlive(owner)) {
      const who =
        owner === 'empty' ? 'another process' : `process ${owner.pid} on ${owner.hostname}, since ${owner.started_at}`;
      throw new UsageError(
        option,
        `${option}: '${dir}' is in use by another bsbr compare (${who}); wait for it to end, or remove ${file} if no bsbr compare writes there`,
      );
    }
    fs.rmSync(file, { force: true });
  }
}

/** Locks `dir`; release() unlocks it and removes the folders up to `top` that were created for it, while empty. */
function hold(dir: string, top: string | undefined, option: string): RunFolder {
  let unlock: () => void;
  try {
    unlock = lock(dir, option);
  } catch (err) {
    removeFolders(dir, top);
    throw err;
  }
  return {
    dir,
    release: () => {
      unlock();
      removeFolders(dir, top);
    },
  };
}

/** Locks the folder of a run being resumed (it must exist). */
export function claimResumedFolder(dir: string): RunFolder {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new UsageError('--resume', `--resume: no run folder '${dir}'`);
  return hold(dir, undefined, '--resume');
}

function cannotWrite(dir: string, err: unknown): UsageError {
  return new UsageError('--out', `--out: cannot write to '${dir}': ${(err as Error).message}`);
}

/**
 * Creates (or takes, if it exists and is empty) the folder of a new run and locks it, before any
 * work. A folder that holds anything (a run, a user's own report.html) is refused, not overwritten.
 */
export function claimNewFolder(dir: string): RunFolder {
  let created: string | undefined;
  try {
    created = makeFolder(dir);
  } catch (err) {
    throw cannotWrite(dir, err);
  }
  const folder = hold(dir, created, '--out');
  const held = othersEntries(dir, (name) => name === LOCK_FILE);
  if (held.names.length === 0) return folder;
  folder.release();
  if (held.names.includes(RESULTS_JSON)) {
    throw new UsageError(
      '--out',
      `--out: '${dir}' already holds a ${RESULTS_JSON} (finish it with --resume ${dir}, or choose another --out)`,
    );
  }
  throw new UsageError(
    '--out',
    `--out: '${dir}' is not empty (it holds ${held.listed}); a new run needs a new or empty folder`,
  );
}

/**
 * The default folder of a new run, <parent>/<stamp>, made with an exclusive mkdir so that two runs
 * started in the same second get two folders: the second is <stamp>-2, and so on.
 */
export function claimDefaultFolder(parent: string, stamp: string): RunFolder {
  let created: string | undefined;
  try {
    created = makeFolder(parent);
  } catch (err) {
    throw cannotWrite(parent, err);
  }
  for (let n = 1; ; n++) {
    const dir = path.join(parent, n === 1 ? stamp : `${stamp}-${n}`);
    try {
      fs.mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      removeFolders(parent, created);
      throw cannotWrite(dir, err);
    }
    return hold(dir, created ?? path.resolve(dir), '--out');
  }
}

/** Where a new run goes when --out is not given: results/<run id>. */
const DEFAULT_PARENT = 'results';

/** Which folder a run writes: a new one (out null: results/<run id>) or one being resumed. */
export type RunFolderRequest = { kind: 'new'; out: string | null; runId: string } | { kind: 'resume'; dir: string };

/** The run folder, locked before any work: a second writer of the same folder is refused. */
export function claimRunFolder(request: RunFolderRequest): RunFolder {
  if (request.kind === 'resume') return claimResumedFolder(request.dir);
  return request.out === null ? claimDefaultFolder(DEFAULT_PARENT, request.runId) : claimNewFolder(request.out);
}

/**
 * The fields that open a new run's results: its id (the folder's name when --out was not given,
 * so a default folder taken as <run id>-2 names the run so), when and by which command it was made.
 */
export function runOpening(
  request: { out: string | null; runId: string },
  folder: RunFolder,
): { run_id: string; created_at: string; command: string[] } {
  return {
    run_id: request.out === null ? path.basename(folder.dir) : request.runId,
    created_at: new Date().toISOString(),
    command: ['bsbr', ...process.argv.slice(2)],
  };
}
