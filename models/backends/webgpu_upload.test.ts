/**
 * Uploads on webgpu (webgpu_upload.ts): host values of each dtype reach the GPU intact, an upload
 * creates no buffer once the pool holds one of its size, and a buffer reused for an upload is not
 * overwritten before a command recorded earlier has read what it held.
 */
import * as tf from '@tensorflow/tfjs-core';
import { testsOn } from '../testing/harness';

const itOn = testsOn('webgpu');

interface CountingDevice {
  createBuffer(descriptor: unknown): unknown;
}

describe('webgpu uploads', () => {
  itOn('float32, int32 and bool values reach the GPU intact', async () => {
    const floats = tf.tensor1d([1.5, -2.25, 3e-8, 4e7]);
    const ints = tf.tensor1d([7, -9, 123456, 0], 'int32');
    const bools = tf.tensor1d([true, false, true, true], 'bool');
    // Each op reads its input on the GPU, so the input is uploaded first.
    const results = [tf.mul(floats, 2), tf.add(ints, 1), tf.logicalNot(bools)];
    expect(Array.from(await results[0].data())).toEqual([3, -4.5, 6e-8, 8e7].map(Math.fround));
    expect(Array.from(await results[1].data())).toEqual([8, -8, 123457, 1]);
    expect(Array.from(await results[2].data())).toEqual([0, 1, 0, 0]);
    tf.dispose([floats, ints, bools, ...results]);
  });

  itOn('an upload into a pooled buffer creates none', async () => {
    const device = (tf.backend() as unknown as { device: CountingDevice }).device;
    const square = async (values: number[]) => {
      const x = tf.tensor1d(values);
      const y = tf.mul(x, x);
      const read = Array.from(await y.data());
      tf.dispose([x, y]);
      return read;
    };
    await square([1, 2, 3, 4, 5]);
    const create = device.createBuffer;
    let created = 0;
    device.createBuffer = function (descriptor: unknown) {
      created++;
      return create.call(this, descriptor);
    };
    try {
      expect(await square([6, 7, 8, 9, 10])).toEqual([36, 49, 64, 81, 100]);
    } finally {
      device.createBuffer = create;
    }
    expect(created).toBe(0);
  });

  itOn('a buffer reused for an upload keeps its values for a command recorded before', async () => {
    const first = tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8]);
    const doubled = tf.mul(first, 2);
    // Disposed with its reader recorded but not yet submitted; the next upload of its size may take its buffer.
    first.dispose();
    const second = tf.tensor1d([100, 200, 300, 400, 500, 600, 700, 800]);
    const tripled = tf.mul(second, 3);
    expect(Array.from(await doubled.data())).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(Array.from(await tripled.data())).toEqual([300, 600, 900, 1200, 1500, 1800, 2100, 2400]);
    tf.dispose([doubled, second, tripled]);
  });
});
