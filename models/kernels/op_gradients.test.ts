/**
 * The gradients this package registers for TensorFlow.js's elementwise binary kernels: their values
 * against the calculus (broadcast inputs summed back to their shapes), and their cost: each input's
 * gradient is computed only when asked for, once (a product's backward is two products, not four).
 */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../testing/harness';
import './gradients';

useBackend('cpu');

const a = () => tf.tensor2d([0.5, -1.5, 2, 3, -0.25, 4], [2, 3]);
const b = () => tf.tensor1d([2, -0.5, 1.5]);

/** How many `name` kernels computing `f`'s gradients with respect to `xs` runs beyond f's own. */
async function backwardCount(name: string, f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]): Promise<number> {
  const count = (kernels: Array<{ name: string }>) => kernels.filter((k) => k.name === name).length;
  const forward = count((await tf.profile(() => f(...xs))).kernels);
  return count((await tf.profile(() => tf.grads(f)(xs))).kernels) - forward;
}

describe('binary kernels: gradients', () => {
  it.each([
    ['Multiply', tf.mul, (x: number, y: number) => [y, x]],
    ['RealDiv', tf.div, (x: number, y: number) => [1 / y, -x / (y * y)]],
    ['Sub', tf.sub, () => [1, -1]],
    ['Add', tf.add, () => [1, 1]],
    ['Maximum', tf.maximum, (x: number, y: number) => (x >= y ? [1, 0] : [0, 1])],
    ['SquaredDifference', tf.squaredDifference, (x: number, y: number) => [2 * (x - y), 2 * (y - x)]],
  ] as Array<[string, (x: tf.Tensor, y: tf.Tensor) => tf.Tensor, (x: number, y: number) => number[]]>)(
    '%s: d/da elementwise and d/db summed over the broadcast rows',
    async (_name, op, partials) => {
      const [x, y] = [a(), b()];
      const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => op(p, q))([x, y]);
      const xs = (await x.array()) as number[][];
      const ys = (await y.array()) as number[];
      const expectedA = xs.map((row) => row.map((v, j) => partials(v, ys[j])[0]));
      const expectedB = ys.map((v, j) => xs.reduce((sum, row) => sum + partials(row[j], v)[1], 0));
      const gotA = (await da.array()) as number[][];
      const gotB = (await db.array()) as number[];
      gotA.flat().forEach((g, i) => expect(g).toBeCloseTo(expectedA.flat()[i], 5));
      gotB.forEach((g, i) => expect(g).toBeCloseTo(expectedB[i], 5));
      tf.dispose([x, y, da, db]);
    },
  );

  it("a product's backward runs one product per input asked for", async () => {
    const [x, y] = [a(), tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3])];
    expect(await backwardCount('Multiply', (p, q) => tf.mul(p, q), [x, y])).toBe(2);
    expect(await backwardCount('Multiply', (p) => tf.mul(p, y), [x])).toBe(1);
    tf.dispose([x, y]);
  });

  it("a quotient's backward with respect to the dividend alone is one division", async () => {
    const [x, y] = [a(), tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3])];
    const f = (p: tf.Tensor) => tf.div(p, y);
    const counts = await Promise.all(['RealDiv', 'Multiply', 'Neg'].map((name) => backwardCount(name, f, [x])));
    expect(counts).toEqual([1, 0, 0]);
    tf.dispose([x, y]);
  });
});
