/**
 * The batched products attention needs, on the wasm backend: the stock BatchMatMul (tf.matMul,
 * batch > 1 or a transposed operand: a scalar loop) against bmm (BATCHED_MATMUL, batch element by
 * batch element on XNNPACK), with the 2-D matmul rate beside them.
 *
 *   node dist/evals/kernel_bench.js [--threads N]
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { bmm } from '../models/ops/matmul';
import { setupBackend } from '../models/backends/setup';

function medianMs(call: () => tf.Tensor, repeats = 7): number {
  for (let i = 0; i < 2; i++) call().dispose();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const out = call();
    out.dataSync();
    times.push(performance.now() - start);
    out.dispose();
  }
  return times.sort((a, b) => a - b)[Math.floor(repeats / 2)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { threads: { type: 'string' } } });
  const backend = await setupBackend('wasm', { threads: values.threads ? Number(values.threads) : undefined });
  console.log(`wasm on ${backend.threads} thread(s)`);
  const gflops = (flops: number, ms: number) => (flops / ms / 1e6).toFixed(1);
  const square = [tf.randomNormal([1024, 1024]), tf.randomNormal([1024, 1024])];
  const ms2d = medianMs(() => tf.matMul(square[0], square[1]));
  console.log(`2-D matmul 1024x1024x1024: ${ms2d.toFixed(1)} ms, ${gflops(2 * 1024 ** 3, ms2d)} GFLOP/s`);
  console.log('| product | shape | stock ms | GFLOP/s | bmm ms | GFLOP/s | speed-up |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  // q k^T and p v of chunk-local attention (batch = heads x chunks), k^T v chunk states, q @ G.
  const cases: Array<[string, number, number, number, number, boolean, boolean]> = [
    ['q k^T (chunk 128)', 512, 128, 64, 128, false, true],
    ['p v (chunk 128)', 512, 128, 128, 64, false, false],
    ['k^T v (chunk 128)', 512, 64, 128, 64, true, false],
    ['q G (chunk 32)', 2048, 32, 64, 64, false, false],
  ];
  for (const [label, batch, m, k, p, ta, tb] of cases) {
    const a = tf.randomNormal(ta ? [batch, k, m] : [batch, m, k]);
    const b = tf.randomNormal(tb ? [batch, p, k] : [batch, k, p]);
    const flops = 2 * batch * m * k * p;
    const stock = medianMs(() => tf.matMul(a, b, ta, tb), 3);
    const fast = medianMs(() => bmm(a, b, ta, tb));
    console.log(
      `| ${label} | ${batch} x [${m}x${k}]@[${k}x${p}] | ${stock.toFixed(1)} | ${gflops(flops, stock)} | ${fast.toFixed(1)} | ${gflops(flops, fast)} | ${(stock / fast).toFixed(1)}x |`,
    );
    tf.dispose([a, b]);
  }
  tf.dispose(square);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
