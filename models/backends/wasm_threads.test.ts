/** The wasm backend on threads: setupBackend's `threads`, the fallback, and a process that still exits. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors';
import { setupBackend } from './setup';
import { MAX_WASM_THREADS } from './wasm_threads';

/** The built setup module (the child processes below run dist/, as `node` cannot run .ts). */
const BUILT_SETUP = path.resolve(__dirname, '../../dist/models/backends/setup.js');

/**
 * Runs `code` in a fresh `node` with `flags`, `setupBackend` in scope; its stdout, stderr and exit
 * code. A process still running after 30 s is killed: its status is then null, not an exit code.
 */
function runNode(flags: string[], code: string): { status: number | null; stdout: string; stderr: string } {
  if (!fs.existsSync(BUILT_SETUP))
    throw new Error(`${BUILT_SETUP} is missing: run \`npm run build\` first (npm test does)`);
  const script = `const { setupBackend } = require(${JSON.stringify(BUILT_SETUP)}); const tf = require('@tensorflow/tfjs-core');\n${code}`;
  const child = spawnSync(process.execPath, [...flags, '-e', script], {
    cwd: path.dirname(BUILT_SETUP),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('setupBackend("wasm", { threads })', () => {
  it('runs the threaded build on 2 threads, and its matmul equals the single-threaded one exactly', async () => {
    const a = Float32Array.from({ length: 300 * 200 }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: 200 * 100 }, (_, i) => Math.cos(i));
    const product = () => tf.tidy(() => tf.matMul(tf.tensor2d(a, [300, 200]), tf.tensor2d(b, [200, 100])).dataSync());
    const single = await setupBackend('wasm', { threads: 1 });
    expect(single.threads).toBe(1);
    const one = product();
    const threaded = await setupBackend('wasm', { threads: 2 });
    expect(threaded).toMatchObject({ name: 'wasm', threads: 2, notice: undefined });
    expect(tf.getBackend()).toBe('wasm');
    expect(Array.from(product())).toEqual(Array.from(one));
  });

  it('keeps the backend, and so its tensors, when asked for the same count again', async () => {
    await setupBackend('wasm', { threads: 2 });
    const kept = tf.tensor1d([1, 2, 3]);
    expect((await setupBackend('wasm', { threads: 2 })).threads).toBe(2);
    expect(Array.from(kept.dataSync())).toEqual([1, 2, 3]);
    kept.dispose();
  });

  it(`uses at most ${MAX_WASM_THREADS} threads and says so`, async () => {
    const active = await setupBackend('wasm', { threads: 12 });
    expect(active.threads).toBe(MAX_WASM_THREADS);
    expect(active.notice).toBe(
      `backend: using wasm; wasm: ${MAX_WASM_THREADS} threads, not 12 (the threaded build uses at most ${MAX_WASM_THREADS})`,
    );
  });

  it('refuses a thread count that is not a positive integer', async () => {
    for (const threads of [0, -1, 1.5]) {
      await expect(setupBackend('wasm', { threads })).rejects.toThrow(
        new InputError('threads', `threads must be a positive integer, not ${threads}`),
      );
    }
  });

  it('the cpu backend reports its one thread', async () => {
    expect((await setupBackend('cpu', { threads: 4 })).threads).toBe(1);
  });
});

describe('in a process of its own (the built package)', () => {
  it('a process that ran the threaded backend exits by itself (the pool does not keep it alive)', () => {
    const run = runNode(
      [],
      `setupBackend('wasm', { threads: 2 }).then((b) => { tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync(); console.log(b.threads); });`,
    );
    // Exit code 0: it ended by itself (one killed at the 30 s bound has none).
    expect(run).toMatchObject({ status: 0, stdout: '2\n', stderr: '' });
  });

  it('an uncaught error afterwards is reported by Node itself, not rethrown from inside the emscripten glue', () => {
    const run = runNode([], `setupBackend('wasm', { threads: 2 }).then(() => { throw new Error('boom'); });`);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Error: boom');
    // The glue's handler would rethrow it there, and Node would print the glue's 100 kB source line.
    expect(run.stderr).not.toContain('GROWABLE_HEAP');
  });

  it('without SharedArrayBuffer, falls back to one thread with a one-line notice', () => {
    const run = runNode(
      ['--no-harmony-sharedarraybuffer'],
      `setupBackend('wasm', { threads: 2 }).then((b) => console.log(JSON.stringify([b.threads, b.notice, tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).dataSync()[0]])));`,
    );
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      1,
      'backend: using wasm; wasm: 2 threads could not start (SharedArrayBuffer is not defined); running on 1 thread',
      2,
    ]);
  });
});
