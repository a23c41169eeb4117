/**
 * Gradients of TensorFlow.js's own kernels that the models' training step reaches. tfjs-core ships
 * its gradient definitions only as ES modules (the @tensorflow/tfjs bundle registers them), which
 * the CommonJS build this package loads never runs; so the ones the models need are registered
 * here, each only where no gradient is registered under its kernel name yet (BatchMatMul's beside
 * bmm, in models/ops/matmul.ts, whose products it uses). The model gradient
 * tests (central finite differences of the float64 reference) check every one of them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hasKernel, runKernel, SCATTER_ADD } from './names';

type Grads = Record<string, () => tf.Tensor>;

/** dx summed over the axes along which an input of `shape` was broadcast to dx's shape, then reshaped to `shape`. */
function unbroadcast(dx: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const lead = dx.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < dx.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && dx.shape[i] !== 1)) axes.push(i);
  }
  return tf.reshape(axes.length ? tf.sum(dx, axes) : dx, shape as number[]);
}

/**
 * dy of a reduction over `axes` of x (keepDims or not) broadcast back to x's shape. The ones are
 * tf.onesLike's, a kernel of the backend: tf.ones(x.shape) fills an array of x's size on the host,
 * which the webgpu backend then uploads.
 */
function expandReduced(dy: tf.Tensor, x: tf.Tensor, axes: number[]): tf.Tensor {
  const kept = x.shape.map((s, i) => (axes.includes(i) ? 1 : s));
  return tf.mul(tf.reshape(dy, kept), tf.onesLike(x));
}

/** Normalised reduction axes of an attribute (a number, an array, or absent for all axes). */
function reductionAxes(attr: unknown, rank: number): number[] {
  const list = attr == null ? [...Array(rank).keys()] : Array.isArray(attr) ? (attr as number[]) : [attr as number];
  return list.map((a) => (a < 0 ? a + rank : a));
}

/**
 * A box [begin, begin + size) of a tensor of `shape` over as few axes as keep it a box: each cut axis
 * with the uncut axes after it, leading uncut axes together. Pads and slices of more than four axes
 * go wrong on the webgpu backend; the models' boxes merge to at most four.
 */
function mergedBox(
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
): { shape: number[]; begin: number[]; size: number[] } {
  const box = { shape: [] as number[], begin: [] as number[], size: [] as number[] };
  shape.forEach((dim, i) => {
    const last = box.shape.length - 1;
    if (last >= 0 && begin[i] === 0 && size[i] === dim) {
      box.shape[last] *= dim;
      box.begin[last] *= dim;
      box.size[last] *= dim;
    } else {
      box.shape.push(dim);
      box.begin.push(begin[i]);
      box.size.push(size[i]);
    }
  });
  return box;
}

const inversePermutation = (perm: number[]): number[] => {
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inverse[p] = i;
  });
  return inverse;
};

type InputGradient = (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * a op b broadcasting: dL/da = da(dy, a, b) and dL/db = db(dy, a, b), each summed back to its
 * input's shape. Each is computed only when the engine asks for it (an input off the path to the
 * weights, such as a constant, costs nothing).
 */
function binary(kernelName: string, da: InputGradient, db: InputGradient): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(da(dy as tf.Tensor, a, b), a.shape),
      b: () => unbroadcast(db(dy as tf.Tensor, a, b), b.shape),
    }),
  };
}

/** A unary kernel with input x whose gradient is dy times f(x, y) (y the saved output). */
function unary(
  kernelName: string,
  f: (dy: tf.Tensor, x: tf.Tensor, y: tf.Tensor) => tf.Tensor,
  input = 'x',
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: [input],
    outputsToSave: [true],
    gradFunc: (dy, [x, y]) => ({ [input]: () => f(dy as tf.Tensor, x, y) }) as Grads,
  };
}

const GRADIENTS: tf.GradConfig[] = [
  binary(
    'Add',
    (dy) => dy,
    (dy) => dy,
  ),
  binary(
    'Sub',
    (dy) => dy,
    (dy) => tf.neg(dy),
  ),
  binary(
    'Multiply',
    (dy, _a, b) => tf.mul(dy, b),
    (dy, a) => tf.mul(dy, a),
  ),
  // -(dy / b) (a / b) rather than -dy a / b^2: b^2 underflows to 0 for a tiny divisor (a clamped sum of no weights).
  binary(
    'RealDiv',
    (dy, _a, b) => tf.div(dy, b),
    (dy, a, b) => tf.neg(tf.mul(tf.div(dy, b), tf.div(a, b))),
  ),
  binary(
    'Maximum',
    (dy, a, b) => tf.mul(dy, tf.cast(tf.greaterEqual(a, b), 'float32')),
    (dy, a, b) => tf.mul(dy, tf.cast(tf.less(a, b), 'float32')),
  ),
  binary(
    'Minimum',
    (dy, a, b) => tf.mul(dy, tf.cast(tf.lessEqual(a, b), 'float32')),
    (dy, a, b) => tf.mul(dy, tf.cast(tf.greater(a, b), 'float32')),
  ),
  binary(
    'SquaredDifference',
    (dy, a, b) => tf.mul(tf.mul(dy, tf.sub(a, b)), 2),
    (dy, a, b) => tf.mul(tf.mul(dy, tf.sub(b, a)), 2),
  ),
  // Comparisons are piecewise constant: no gradient flows through them.
  ...['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual'].map((kernelName): tf.GradConfig => ({
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (_dy, [a, b]) => ({ a: () => tf.zeros(a.shape), b: () => tf.zeros(b.shape) }),
  })),
  {
    kernelName: 'AddN',
    saveAllInputs: true,
    gradFunc: (dy, saved) => Object.fromEntries(saved.map((_, i) => [i, () => tf.clone(dy as tf.Tensor)])),
  },
  unary('Neg', (dy) => tf.neg(dy)),
  unary('Identity', (dy) => tf.clone(dy)),
  unary('Cast', (dy) => tf.clone(dy)),
  unary('Exp', (dy, _x, y) => tf.mul(dy, y)),
  unary('Log', (dy, x) => tf.div(dy, x)),
  unary('Sqrt', (dy, _x, y) => tf.div(dy, tf.mul(y, 2))),
  unary('Rsqrt', (dy, _x, y) => tf.mul(dy, tf.mul(tf.pow(y, 3), -0.5))),
  unary('Square', (dy, x) => tf.mul(dy, tf.mul(x, 2))),
  unary('Erf', (dy, x) => tf.mul(dy, tf.mul(tf.exp(tf.neg(tf.square(x))), 2 / Math.sqrt(Math.PI)))),
  unary('Sigmoid', (dy, _x, y) => tf.mul(dy, tf.mul(y, tf.sub(1, y)))),
  unary('Elu', (dy, _x, y) => tf.where(tf.greater(y, 0), dy, tf.mul(dy, tf.add(y, 1)))),
  unary('Relu', (dy, x) => tf.mul(dy, tf.cast(tf.greater(x, 0), 'float32'))),
  unary('Abs', (dy, x) => tf.mul(dy, tf.sign(x))),
  {
    kernelName: 'Softmax',
    outputsToSave: [true],
    gradFunc: (dy, [y], attrs) => {
      const dim = attrs.dim as number;
      return { logits: () => tf.mul(y, tf.sub(dy as tf.Tensor, tf.sum(tf.mul(dy as tf.Tensor, y), dim, true))) };
    },
  },
  {
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({ x: () => expandReduced(dy as tf.Tensor, x, reductionAxes(attrs.axis, x.rank)) }),
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const axes = reductionAxes(attrs.axis, x.rank);
      const size = axes.reduce((p, a) => p * x.shape[a], 1);
      return { x: () => tf.div(expandReduced(dy as tf.Tensor, x, axes), size) };
    },
  },
  ...['Max', 'Min'].map((kernelName): tf.GradConfig => ({
    kernelName,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, [x, y], attrs) => {
      const axes = reductionAxes(attrs.reductionIndices, x.rank);
      return {
        x: () =>
          tf.mul(expandReduced(dy as tf.Tensor, x, axes), tf.cast(tf.equal(x, expandReduced(y, x, axes)), 'float32')),
      };
    },
  })),
  {
    kernelName: 'Reshape',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy as tf.Tensor, x.shape) }),
  },
  {
    kernelName: 'ExpandDims',
    inputsToSave: ['input'],
    gradFunc: (dy, [input]) => ({ input: () => tf.reshape(dy as tf.Tensor, input.shape) }),
  },
  {
    kernelName: 'Transpose',
    gradFunc: (dy, _saved, attrs) => ({
      x: () => tf.transpose(dy as tf.Tensor, inversePermutation(attrs.perm as number[])),
    }),
  },
  {
    kernelName: 'Slice',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const rank = x.rank;
      const given = (v: unknown, fill: number) => {
        const list = typeof v === 'number' ? [v] : (v as number[]);
        return [...list, ...new Array(rank - list.length).fill(fill)] as number[];
      };
      const begin = given(attrs.begin, 0);
      const size = given(attrs.size, -1).map((s, i) => (s === -1 ? x.shape[i] - begin[i] : s));
      const box = mergedBox(x.shape, begin, size);
      return {
        x: () =>
          tf.reshape(
            tf.pad(
              tf.reshape(dy as tf.Tensor, box.size),
              box.begin.map((b, i) => [b, box.shape[i] - b - box.size[i]] as [number, number]),
            ),
            x.shape,
          ),
      };
    },
  },
  {
    kernelName: 'PadV2',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const paddings = attrs.paddings as Array<[number, number]>;
      const g = dy as tf.Tensor;
      const box = mergedBox(
        g.shape,
        paddings.map((p) => p[0]),
        x.shape,
      );
      return { x: () => tf.reshape(tf.slice(tf.reshape(g, box.shape), box.begin, box.size), x.shape) };
    },
  },
  {
    kernelName: 'Concat',
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const axis = reductionAxes(attrs.axis, saved[0].rank)[0];
      const parts = tf.split(
        dy as tf.Tensor,
        saved.map((t) => t.shape[axis]),
        axis,
      );
      return Object.fromEntries(parts.map((part, i) => [i, () => part]));
    },
  },
  {
    kernelName: 'Pack',
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const parts = tf.unstack(dy as tf.Tensor, attrs.axis as number);
      return Object.fromEntries(saved.map((_, i) => [i, () => parts[i]]));
    },
  },
  {
    kernelName: 'Unpack',
    gradFunc: (dys, _saved, attrs) => ({ value: () => tf.stack(dys as tf.Tensor[], attrs.axis as number) }),
  },
  {
    kernelName: 'Tile',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const reps = attrs.reps as number[];
      // dy as [r0, x0, r1, x1, ...]: summing the r axes adds up the tiles.
      const split = tf.reshape(
        dy as tf.Tensor,
        x.shape.flatMap((s, i) => [reps[i], s]),
      );
      return {
        x: () =>
          tf.reshape(
            tf.sum(
              split,
              reps.map((_, i) => 2 * i),
            ),
            x.shape,
          ),
      };
    },
  },
  {
    kernelName: 'Select',
    inputsToSave: ['condition'],
    gradFunc: (dy, [condition]) => {
      const taken = tf.cast(condition, 'float32');
      return {
        condition: () => tf.zeros(condition.shape),
        t: () => tf.mul(dy as tf.Tensor, taken),
        e: () => tf.mul(dy as tf.Tensor, tf.sub(1, taken)),
      };
    },
  },
  {
    kernelName: 'Cumsum',
    gradFunc: (dy, _saved, attrs) => ({
      x: () =>
        tf.cumsum(dy as tf.Tensor, attrs.axis as number, attrs.exclusive as boolean, !(attrs.reverse as boolean)),
    }),
  },
  {
    // Rows added by index: each update's gradient is its row's.
    kernelName: 'ScatterNd',
    inputsToSave: ['indices'],
    gradFunc: (dy, [indices]) => ({
      updates: () => tf.gatherND(dy as tf.Tensor, indices),
      indices: () => tf.zeros(indices.shape),
    }),
  },
  {
    kernelName: SCATTER_ADD,
    inputsToSave: ['indices'],
    gradFunc: (dy, [indices]) => ({
      updates: () => tf.gather(dy as tf.Tensor, indices),
      indices: () => tf.zeros(indices.shape),
    }),
  },
  {
    // Rows of x gathered along an axis: their gradients scattered back, repeated indices summed.
    kernelName: 'GatherV2',
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, [x, indices], attrs) => {
      if ((attrs.batchDims as number) > 0) throw new Error('GatherV2 gradient: batchDims > 0 is not supported');
      const axis = reductionAxes(attrs.axis, x.rank)[0];
      return {
        x: () => {
          const g = dy as tf.Tensor;
          const k = indices.rank;
          // dy is [x before axis, indices..., x after axis]: bring the index axes to the front.
          const perm = [...Array(k).keys()]
            .map((i) => axis + i)
            .concat(
              [...Array(axis).keys()],
              [...Array(g.rank - axis - k).keys()].map((i) => axis + k + i),
            );
          const rest = x.shape.filter((_, i) => i !== axis);
          const updates = tf.reshape(tf.transpose(g, perm), [indices.size, ...rest]);
          const front = scatterRows(tf.reshape(indices, [-1]) as tf.Tensor1D, updates, x.shape[axis]);
          const back = [...Array(x.rank).keys()].map((i) => (i < axis ? i + 1 : i === axis ? 0 : i));
          return tf.transpose(front, back);
        },
        indices: () => tf.zeros(indices.shape),
      };
    },
  },
];

/**
 * Rows of updates [N, ...] added into `rows` zero rows at indices [N]: by the backend's SCATTER_ADD
 * kernel where it has one (flattened to [N, F]), else by tf.scatterND.
 */
export function scatterRows(indices: tf.Tensor1D, updates: tf.Tensor, rows: number): tf.Tensor {
  const rest = updates.shape.slice(1);
  if (!hasKernel(SCATTER_ADD)) return tf.scatterND(tf.reshape(indices, [-1, 1]), updates, [rows, ...rest]);
  return tf.tidy(() => {
    const flat = tf.reshape(updates, [indices.size, -1]);
    return tf.reshape(runKernel(SCATTER_ADD, { indices, updates: flat }, { rows }), [rows, ...rest]);
  });
}

/** The gradients above, for registration where a kernel has none yet. */
export const OP_GRADIENTS: readonly tf.GradConfig[] = GRADIENTS;
