/** Slice and GatherV2 on wasm (the replacements in wasm_slice.ts and wasm_gather.ts) against plain JS. */
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../backends/setup';
import { lcg } from '../../testing/harness';

beforeAll(async () => {
  // The threaded build (a shared heap, XNNPACK's pool), as compare runs it by default.
  const { threads } = await setupBackend('wasm', { threads: 2 });
  expect(threads).toBe(2);
});

/** The slice of a row-major array of `shape` by plain index arithmetic. */
function referenceSlice(values: Float32Array, shape: number[], begin: number[], size: number[]): number[] {
  const out: number[] = [];
  const total = size.reduce((a, s) => a * s, 1);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let offset = 0;
    for (let i = shape.length - 1, stride = 1, outStride = 1; i >= 0; i--) {
      const idx = rest % size[i];
      rest = Math.floor(rest / size[i]);
      offset += (begin[i] + idx) * stride;
      stride *= shape[i];
      outStride *= size[i];
    }
    out.push(values[offset]);
  }
  return out;
}

describe('Slice on wasm copies exactly the slice', () => {
  const next = lcg(42);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const cases: Array<[number[], number[], number[]]> = [
    [[10], [3], [4]],
    [
      [4, 5],
      [1, 0],
      [2, 5],
    ],
    [
      [4, 5],
      [0, 2],
      [4, 2],
    ],
    [
      [2, 3, 4, 5, 6],
      [1, 0, 2, 0, 0],
      [1, 3, 2, 5, 6],
    ],
    [
      [2, 3, 4, 5, 6],
      [0, 1, 1, 2, 3],
      [2, 2, 3, 3, 3],
    ],
    [
      [3, 4, 5],
      [0, 0, 0],
      [3, 4, 5],
    ],
    [
      [3, 0, 5],
      [0, 0, 0],
      [3, 0, 5],
    ],
  ];
  for (let r = 0; r < 30; r++) {
    const rank = int(1, 6);
    const shape = Array.from({ length: rank }, () => int(1, 5));
    const begin = shape.map((s) => int(0, s - 1));
    cases.push([shape, begin, shape.map((s, i) => int(1, s - begin[i]))]);
  }
  it.each(cases)('shape %j begin %j size %j', (shape, begin, size) => {
    const values = Float32Array.from({ length: shape.reduce((a, s) => a * s, 1) }, (_, i) => i + 0.5);
    const x = tf.tensor(values, shape);
    const y = tf.slice(x, begin, size);
    expect(y.shape).toEqual(size);
    expect(Array.from(y.dataSync())).toEqual(referenceSlice(values, shape, begin, size));
    tf.dispose([x, y]);
  });

  it('slices int32 and bool tensors too', () => {
    const x = tf.tensor2d(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      undefined,
      'int32',
    );
    expect(tf.slice(x, [0, 1], [2, 2]).arraySync()).toEqual([
      [2, 3],
      [5, 6],
    ]);
    const flags = tf.tensor1d([true, false, true], 'bool');
    expect(tf.slice(flags, [1], [2]).arraySync()).toEqual([0, 1]);
  });
});

describe('GatherV2 on wasm gathers whole rows', () => {
  it('looks up rows of a table in any index shape', () => {
    const table = tf.tensor2d(
      Float32Array.from({ length: 7 * 3 }, (_, i) => i),
      [7, 3],
    );
    const ids = [
      [6, 0, 2],
      [2, 2, 5],
    ];
    const out = tf.gather(table, tf.tensor2d(ids, undefined, 'int32'));
    expect(out.shape).toEqual([2, 3, 3]);
    expect(out.arraySync()).toEqual(ids.map((row) => row.map((id) => [3 * id, 3 * id + 1, 3 * id + 2])));
  });

  it('refuses an index outside the table', () => {
    const table = tf.zeros([4, 2]);
    expect(() => tf.gather(table, tf.tensor1d([1, 4], 'int32'))).toThrow(
      'GatherV2: the index value 4 is not in [0, 3]',
    );
  });

  it('leaves other axes to the stock kernel', () => {
    const x = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(tf.gather(x, tf.tensor1d([2, 0], 'int32'), 1).arraySync()).toEqual([
      [3, 1],
      [6, 4],
    ]);
  });
});
