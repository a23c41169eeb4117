/** The training API on the default backend: variables, the tied head, the losses, dropout, leaks. */
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, causalLmLoss } from './loss';
import { liveTensors, randomIds, readAndDispose, TINY, useDefaultBackend, withModel } from './testing/harness';

useDefaultBackend();

const IDS = randomIds(2, 11, 50, 3);
const MASK = [
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  [0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0],
];

describe('training API', () => {
  it('holds every weight as a trainable variable under its state-dict name, and setWeights writes them', async () => {
    await withModel('BSBR', TINY, async (model) => {
      const variables = model.trainableVariables();
      expect([...variables.keys()]).toEqual(model.parameterNames());
      for (const v of variables.values()) expect(v).toBeInstanceOf(tf.Variable);
      expect([...variables.values()].every((v) => v.trainable)).toBe(true);
      const weights = model.getWeights();
      const doubled = new Map([...weights].map(([name, t]) => [name, tf.mul(t, 2)]));
      model.setWeights(doubled);
      const before = await weights.get('layers.0.ff.0.bias')!.data();
      const after = await variables.get('layers.0.ff.0.bias')!.data();
      expect(Array.from(after)).toEqual(Array.from(before).map((x) => 2 * x));
      tf.dispose([...weights.values(), ...doubled.values()]);
    });
  });

  it('crossEntropy is the weighted mean of -log softmax at the labels', async () => {
    const logits = tf.tensor2d([
      [1, 2, 3],
      [0, 0, 0],
      [5, 1, 1],
    ]);
    const loss = crossEntropy(logits, tf.tensor1d([2, 0, 1], 'int32'), tf.tensor1d([1, 3, 0]));
    const lse = (row: number[]) => Math.log(row.reduce((a, x) => a + Math.exp(x), 0));
    const expected = (1 * (lse([1, 2, 3]) - 3) + 3 * (lse([0, 0, 0]) - 0)) / 4;
    expect((await loss.data())[0]).toBeCloseTo(expected, 5);
    tf.dispose([logits, loss]);
  });

  it('loss() is causalLmLoss of the tied head over real positions, and logitsAt gathers rows of logits()', async () => {
    await withModel('Linear', TINY, async (model) => {
      const hidden = model.forward(IDS, MASK);
      const logits = model.logits(hidden);
      expect(logits.shape).toEqual([2, 11, 50]);
      const ids = tf.tensor2d(IDS, undefined, 'int32');
      const mask = tf.tensor2d(MASK);
      const whole = await readAndDispose<number>(causalLmLoss(logits, ids, mask));
      const grouped = await readAndDispose<number>(model.loss(IDS, MASK));
      expect(grouped).toBeCloseTo(whole, 5);
      // By hand: positions t of row 1 count where t and t + 1 are real.
      const rows = (await logits.array()) as number[][][];
      let sum = 0;
      let count = 0;
      IDS.forEach((seq, b) =>
        seq.slice(0, -1).forEach((_, t) => {
          if (!MASK[b][t] || !MASK[b][t + 1]) return;
          const row = rows[b][t];
          const max = Math.max(...row);
          sum += Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0)) + max - row[seq[t + 1]];
          count++;
        }),
      );
      expect(whole).toBeCloseTo(sum / count, 4);
      const at = await readAndDispose(
        model.logitsAt(hidden, [
          [0, 5],
          [10, 2],
        ]),
      );
      expect(at[0][1]).toEqual(rows[0][5]);
      expect(at[1][0]).toEqual(rows[1][10]);
      tf.dispose([hidden, logits, ids, mask]);
    });
  });

  it('loss() over more groups of positions than a kernel may bind inputs: the same loss, no kernel with more than 7 inputs', async () => {
    // The wasm plan takes 2^22 logits per group: 64 positions of a vocabulary of 2^16, so 600 positions
    // make 10 groups. A WebGPU device binds 8 storage buffers per kernel unless asked for more: 7
    // inputs and the output (an AddN of every group's sum failed there, silently).
    const vocabSize = 1 << 16;
    await withModel('Linear', { ...TINY, vocabSize, numLayers: 1 }, async (model) => {
      const ids = tf.tensor2d([Array.from({ length: 600 }, (_, t) => (t * 7919) % vocabSize)], undefined, 'int32');
      expect(Math.ceil(600 / Math.floor(model.plan.logitsPerGroup / vocabSize))).toBe(10);
      const { kernels, result } = await tf.profile(() => model.loss(ids));
      const grouped = await readAndDispose<number>(result as tf.Scalar);
      expect(Math.max(...kernels.map((kernel) => kernel.inputShapes.length))).toBeLessThanOrEqual(7);
      const hidden = model.forward(ids);
      const whole = await readAndDispose<number>(tf.tidy(() => causalLmLoss(model.logits(hidden), ids, null)));
      expect(grouped).toBeCloseTo(whole, 4);
      tf.dispose([ids, hidden]);
    });
  });

  it('dropout acts only when training, the same seed giving the same output and another seed another', async () => {
    await withModel('BSBR', { ...TINY, dropout: 0.3 }, async (model) => {
      const plain = await readAndDispose(model.forward(IDS));
      expect(await readAndDispose(model.forward(IDS, null, { training: false, dropoutSeed: 5 }))).toEqual(plain);
      const a = await readAndDispose(model.forward(IDS, null, { training: true, dropoutSeed: 5 }));
      const b = await readAndDispose(model.forward(IDS, null, { training: true, dropoutSeed: 5 }));
      const c = await readAndDispose(model.forward(IDS, null, { training: true, dropoutSeed: 6 }));
      expect(a).toEqual(b);
      expect(a).not.toEqual(plain);
      expect(c).not.toEqual(a);
    });
    await withModel('BSBR', { ...TINY, dropout: 0 }, async (model) => {
      expect(await readAndDispose(model.forward(IDS, null, { training: true }))).toEqual(
        await readAndDispose(model.forward(IDS)),
      );
    });
  });

  it('a training step gives every weight a finite gradient and leaks no tensor, nor does a step that throws', async () => {
    await withModel('GAU', TINY, async (model) => {
      const before = liveTensors();
      const { value, grads } = tf.variableGrads(() => model.loss(IDS, MASK, { training: true, dropoutSeed: 1 }));
      expect(Object.keys(grads).sort()).toEqual([...model.trainableVariables().values()].map((v) => v.name).sort());
      const finite = tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
      expect(Number.isFinite((await finite.data())[0])).toBe(true);
      tf.dispose([value, grads, finite]);
      expect(liveTensors()).toBe(before);
      expect(() => tf.variableGrads(() => model.loss([[1, 2, 99]]))).toThrow(/inputIds must be integers/);
      expect(() => tf.variableGrads(() => model.loss(IDS, [[1, 1]]))).toThrow(/attentionMask must have the shape/);
      expect(liveTensors()).toBe(before);
    });
  });
});
