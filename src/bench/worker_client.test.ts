import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../testing/cli';
import { runWorker } from './worker_client';

/** A stand-in worker script with the given body (plain Node, no TensorFlow.js). */
function script(body: string): string {
  const file = path.join(tempDir(), 'worker.js');
  fs.writeFileSync(file, body);
  return file;
}

const JOB = { kind: 'calibration', backend: 'cpu' } as const;

test('the reply of a worker that answers', async () => {
  const echo = script(
    `process.once('message', (job) => process.send({ ok: false, stage: 'run', message: JSON.stringify(job) }, () => process.exit(0)));`,
  );
  expect(await runWorker(JOB, 60, echo)).toEqual({ ok: false, stage: 'run', message: JSON.stringify(JOB) });
});

test('a worker that exits without replying: a crash with its exit code and last stderr line', async () => {
  const failing = script(
    `process.stderr.write('loading\\nRangeError: WebAssembly.Memory(): could not allocate memory\\n\\n'); process.exit(3);`,
  );
  expect(await runWorker(JOB, 60, failing)).toEqual({
    ok: false,
    stage: 'crash',
    message:
      'the worker process exited with code 3 without a result: RangeError: WebAssembly.Memory(): could not allocate memory',
  });
});

test('a worker killed by a signal (as the OS kills a process out of memory): a crash naming the signal', async () => {
  const killed = script(`process.kill(process.pid, 'SIGKILL');`);
  expect(await runWorker(JOB, 60, killed)).toEqual({
    ok: false,
    stage: 'crash',
    message: 'the worker process was killed by SIGKILL (out of memory?) without a result',
  });
});

test('a missing worker script is a clear error', async () => {
  await expect(runWorker(JOB, 60, '/nonexistent/case_worker.js')).rejects.toThrow('run `npm run build`');
});

test('a worker that never replies is killed after the timeout, and the sweep hears why', async () => {
  const pidFile = path.join(tempDir(), 'pid');
  const hung = script(
    `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); process.on('message', () => undefined); setInterval(() => undefined, 1000);`,
  );
  expect(await runWorker(JOB, 0.5, hung)).toEqual({
    ok: false,
    stage: 'crash',
    message: 'the worker did not finish within --case-timeout 0.5 s and was killed',
  });
  // Gone when the reply comes: signal 0 finds no such process.
  expect(() => process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 0)).toThrow(
    expect.objectContaining({ code: 'ESRCH' }),
  );
});

test('a stopped worker (SIGSTOP) is killed after the timeout too', async () => {
  const stopped = script(`process.kill(process.pid, 'SIGSTOP');`);
  expect(await runWorker(JOB, 0.5, stopped)).toMatchObject({
    ok: false,
    message: 'the worker did not finish within --case-timeout 0.5 s and was killed',
  });
});
