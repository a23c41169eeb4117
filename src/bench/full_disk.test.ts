/** A disk that fills during a sweep, on a real tmpfs (run `npm run build` first; mounting needs root). */
import * as fs from 'fs';
import * as path from 'path';
import { readResults } from '../results/read';
import { fillDisk, useSmallDisk } from '../testing/full_disk';
import { ended, runCli, startCli, tempDir, TINY_ARGS, waitFor } from '../testing/cli';

const small = useSmallDisk(4096);

small.it(
  'a full disk mid-sweep: one line, exit 2, the finished cases kept whole, nothing half-written; --resume finishes once there is room',
  async () => {
    const disk = small.disk();
    const cwd = tempDir();
    const run = path.join(disk.dir, 'run');
    const file = path.join(run, 'results.json');
    const child = startCli(
      ['compare', ...TINY_ARGS, '--models', 'BSBR', 'Linear', 'Standard', '--seq-lengths', '8', '16', '--out', run],
      cwd,
    );
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => fs.existsSync(file), 'the run to start');
    fillDisk(disk.dir);
    expect((await ended(child)).code).toBe(2);
    expect(stderr.split('\n').filter((l) => l.startsWith('bsbr:'))).toEqual([
      `bsbr: error: cannot write ${file}: no space left on device (ENOSPC); the cases finished before are kept in ${file}: make room, then finish with bsbr compare --resume ${run}`,
    ]);
    // results.json and results.csv as the last case that fitted left them; no temporary file, no lock.
    const kept = readResults(file);
    expect(kept.cases.length).toBeLessThan(6);
    expect(fs.readdirSync(run).sort()).toEqual(['results.csv', 'results.json']);

    for (const name of fs.readdirSync(disk.dir).filter((n) => n.startsWith('filler')))
      fs.rmSync(path.join(disk.dir, name));
    const resumed = await runCli(['compare', '--resume', run], cwd);
    expect(resumed.code).toBe(0);
    expect(readResults(file).cases.map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
  },
);
