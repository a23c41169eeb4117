import * as tf from '@tensorflow/tfjs-core';
import { testsOn, useDefaultBackend } from '../../models/testing/harness';
import { dispatchesPerCall } from './timer';

describe('dispatchesPerCall on webgpu', () => {
  const itOn = testsOn('webgpu');
  const a = () =>
    tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);

  itOn('counts the programs one call runs: two elementwise ops are two, a reshape none', async () => {
    const x = a();
    expect(await dispatchesPerCall(() => tf.tidy(() => tf.mul(tf.add(x, 1), x)))).toBe(2);
    expect(await dispatchesPerCall(() => tf.reshape(x, [4]))).toBe(0);
    x.dispose();
  });

  itOn('leaves the backend as it was: later ops are not counted, and still run', async () => {
    const x = a();
    await dispatchesPerCall(() => tf.add(x, 1));
    const y = tf.add(x, 1);
    expect(await y.array()).toEqual([
      [2, 3],
      [4, 5],
    ]);
    tf.dispose([x, y]);
  });
});

describe('dispatchesPerCall elsewhere', () => {
  useDefaultBackend();
  it('is null on a backend without GPU dispatches (wasm), and runs nothing', async () => {
    let calls = 0;
    expect(
      await dispatchesPerCall(() => {
        calls++;
        return tf.scalar(1);
      }),
    ).toBeNull();
    expect(calls).toBe(0);
  });
});
