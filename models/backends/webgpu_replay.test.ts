/**
 * Captured steps replayed on webgpu (webgpu_replay.ts): a replay with new inputs computes what
 * TensorFlow.js computes for them, state included; two captures that differ in anything but the
 * declared inputs are refused, with the reason; a step that reads back is refused; the capture's
 * buffers leave the pool while the replay lives and return to it afterwards; nothing leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { testsOn } from '../testing/harness';
import { captureStep, replayable, StepReplay } from './webgpu_replay';

const itOn = testsOn('webgpu');

/** A toy training step: w <- w * decay - x^T (x w - y) * rate, and a running sum of the loss. */
class Toy {
  // A variable outlives tidy; the tensor it was made from does not.
  w = tf.tidy(() => tf.variable(tf.tensor2d([0.5, -1, 2, 0.25, 1.5, -0.75], [3, 2]), true));
  sum = tf.scalar(0);
  state = () => [this.w, this.sum];

  /** The step on tensors x [4, 3], y [4, 2] and the scalars rate and decay. */
  run(inputs: Record<'x' | 'y' | 'rate' | 'decay', tf.Tensor>): void {
    const next = tf.tidy(() => {
      const error = tf.sub(tf.matMul(inputs.x, this.w), inputs.y);
      const grad = tf.matMul(inputs.x, error, true, false);
      const w = tf.sub(tf.mul(this.w, inputs.decay), tf.mul(grad, inputs.rate)) as tf.Tensor2D;
      return { w, sum: tf.add(this.sum, tf.sum(tf.square(error))) };
    });
    this.w.assign(next.w);
    next.w.dispose();
    this.sum.dispose();
    this.sum = next.sum as tf.Scalar;
  }

  dispose(): void {
    tf.dispose([this.w, this.sum]);
  }
}

/** Step k's inputs as host values. */
function values(k: number): Record<'x' | 'y' | 'rate' | 'decay', Float32Array> {
  return {
    x: Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 3 * k)),
    y: Float32Array.from({ length: 8 }, (_, i) => Math.cos(i * k)),
    rate: Float32Array.of(0.1 / (k + 1)),
    decay: Float32Array.of(1 - 0.01 * k),
  };
}

function tensors(v: ReturnType<typeof values>): Record<'x' | 'y' | 'rate' | 'decay', tf.Tensor> {
  return {
    x: tf.tensor2d(v.x, [4, 3]),
    y: tf.tensor2d(v.y, [4, 2]),
    rate: tf.scalar(v.rate[0]),
    decay: tf.scalar(v.decay[0]),
  };
}

/** Runs step k of `toy` through TensorFlow.js, captured when asked. */
function step(toy: Toy, k: number, capture: boolean) {
  const inputs = tensors(values(k));
  try {
    if (!capture) return toy.run(inputs);
    return captureStep(() => toy.run(inputs), { inputs, state: toy.state });
  } finally {
    tf.dispose(Object.values(inputs));
  }
}

const read = async (toy: Toy) => [Array.from(await toy.w.data()), (await toy.sum.data())[0]];

describe('webgpu step replay', () => {
  itOn('replays a step with new inputs as TensorFlow.js runs it, state and running sum included', async () => {
    const plain = new Toy();
    for (let k = 0; k < 8; k++) step(plain, k, false);
    const expected = await read(plain);
    plain.dispose();

    const tensorsBefore = tf.memory().numTensors;
    const toy = new Toy();
    step(toy, 0, false);
    const first = step(toy, 1, true)!;
    const second = step(toy, 2, true)!;
    expect(replayable(first, second)).toBeNull();
    const replay = new StepReplay(second, toy.state);
    for (let k = 3; k < 8; k++) {
      replay.replay(values(k));
      // A read between replays sees the latest state, and does not stay cached.
      if (k === 5) await toy.w.data();
    }
    const got = await read(toy);
    replay.dispose();
    expect(got).toEqual(expected);
    toy.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  itOn('holds the captured buffers out of the pool while it lives, and gives them back', async () => {
    const toy = new Toy();
    step(toy, 0, false);
    const first = step(toy, 1, true)!;
    const second = step(toy, 2, true)!;
    const manager = (tf.backend() as unknown as { bufferManager: { getNumFreeBuffers(): number } }).bufferManager;
    const free = manager.getNumFreeBuffers();
    const replay = new StepReplay(second, toy.state);
    const held = free - manager.getNumFreeBuffers();
    expect(held).toBeGreaterThan(0);
    // TensorFlow.js's own ops meanwhile get other buffers: the replay's results are unchanged by them.
    const other = tf.tidy(() => tf.add(tf.ones([4, 3]), tf.ones([4, 3])));
    replay.replay(values(3));
    expect(Array.from(await other.data())).toEqual(new Array(12).fill(2));
    other.dispose();
    replay.dispose();
    expect(manager.getNumFreeBuffers()).toBeGreaterThanOrEqual(free);
    expect(replayable(first, second)).toBeNull();
    toy.dispose();
  });

  itOn('refuses two captures whose host values differ outside the declared inputs', () => {
    const toy = new Toy();
    const capture = (k: number) => {
      const inputs = tensors(values(k));
      try {
        // The rate folded in as a number: a value the replay would not write anew.
        return captureStep(() => toy.run({ ...inputs, rate: tf.scalar(0.1 / (k + 1)) }), {
          inputs: { x: inputs.x, y: inputs.y, decay: inputs.decay },
          state: toy.state,
        });
      } finally {
        tf.dispose(Object.values(inputs));
      }
    };
    const [first, second] = [capture(1), capture(2)];
    expect(replayable(first, second)).toMatch(/host write \d+ writes other values/);
    toy.dispose();
  });

  itOn('refuses a step that reads back', async () => {
    const x = tf.tensor1d([1, 2, 3]);
    let read: Promise<unknown> | undefined;
    const capture = () =>
      captureStep(
        () => {
          const y = tf.mul(x, 2);
          read = y.data().finally(() => y.dispose());
        },
        { inputs: { x }, state: () => [] },
      );
    const [first, second] = [capture(), capture()];
    await read;
    expect(replayable(first, second)).toMatch(/a submit inside the step/);
    x.dispose();
  });
});
