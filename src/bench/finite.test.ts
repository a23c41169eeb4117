import * as tf from '@tensorflow/tfjs-core';
import { useDefaultBackend } from '../../models/testing/harness';
import { checkOutput, countNonFinite } from './finite';

useDefaultBackend();

test('counts NaN and both infinities, of every value', async () => {
  const t = tf.tensor([1, NaN, Infinity, -Infinity, -3.4e38, 0]);
  expect(await countNonFinite(t)).toEqual({ non_finite: 3, values: 6 });
  t.dispose();
});

test('checkOutput runs the call once and frees its output', async () => {
  const x = tf.tensor([1e38, 1]);
  const before = tf.memory().numTensors;
  expect(await checkOutput(() => tf.mul(x, 10))).toEqual({ non_finite: 1, values: 2 });
  expect(tf.memory().numTensors).toBe(before);
  x.dispose();
});
