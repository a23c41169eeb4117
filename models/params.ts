import * as tf from '@tensorflow/tfjs-core';

/** mulberry32: a small, fast, well-mixed 32-bit generator; enough for weight initialisation. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a parameter's name, so each parameter's stream depends on the seed and its name only. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export type Initialiser =
  { kind: 'uniform'; bound: number } | { kind: 'normal'; std: number } | { kind: 'constant'; value: number };

/**
 * How a weight is held: 'plain' exactly as in the state dict; 'linear' an nn.Linear weight, held
 * here as [in, out] (the fast untransposed matmul) but [out, in] in the state dict.
 */
export type ParamLayout = 'plain' | 'linear';

interface Param {
  variable: tf.Variable;
  layout: ParamLayout;
}

/** Stores made so far: each store's variables get a unique prefix (TensorFlow.js refuses two variables of one name). */
let storesMade = 0;

/**
 * Owns every weight of a model under its state-dict name, each a trainable tf.Variable (so
 * tf.variableGrads of any loss computed from the model gives every weight's gradient). Weights are
 * drawn from a generator seeded by (seed, name), so the same seed gives the same weights on every
 * backend. A variable's own name is `<prefix>/<state-dict name>`, the prefix unique to the store.
 */
export class ParamStore {
  private readonly params = new Map<string, Param>();
  private readonly prefix: string;

  constructor(
    private readonly seed: number,
    owner = 'model',
  ) {
    this.prefix = `${owner}${storesMade++}`;
  }

  create(name: string, shape: number[], init: Initialiser, layout: ParamLayout = 'plain'): tf.Tensor {
    if (this.params.has(name)) throw new Error(`parameter ${name} is defined twice`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (init.kind === 'constant') {
      values.fill(init.value);
    } else {
      const next = mulberry32(hashName(name) ^ Math.imul(this.seed, 0x9e3779b1));
      if (init.kind === 'uniform') {
        for (let i = 0; i < size; i++) values[i] = (2 * next() - 1) * init.bound;
      } else {
        for (let i = 0; i < size; i += 2) {
          // Box-Muller: two independent normals from two uniforms.
          const r = Math.sqrt(-2 * Math.log(1 - next())) * init.std;
          const theta = 2 * Math.PI * next();
          values[i] = r * Math.cos(theta);
          if (i + 1 < size) values[i + 1] = r * Math.sin(theta);
        }
      }
    }
    const initial = tf.tensor(values, shape, 'float32');
    const variable = tf.variable(initial, true, `${this.prefix}/${name}`);
    initial.dispose();
    this.params.set(name, { variable, layout });
    return variable;
  }

  get(name: string): tf.Variable {
    return this.param(name).variable;
  }

  /** Every weight's variable by state-dict name, in creation order. */
  variables(): Map<string, tf.Variable> {
    return new Map([...this.params].map(([name, p]) => [name, p.variable]));
  }

  layout(name: string): ParamLayout {
    return this.param(name).layout;
  }

  names(): string[] {
    return [...this.params.keys()];
  }

  count(): number {
    let total = 0;
    for (const p of this.params.values()) total += p.variable.size;
    return total;
  }

  /**
   * Assigns new values to every parameter at once, as held here (same names, same shapes); the
   * store takes ownership of the tensors given (and disposes them). Anything else is refused untouched.
   */
  replaceAll(tensors: Map<string, tf.Tensor>): void {
    const fits =
      tensors.size === this.params.size &&
      this.names().every((name) => {
        const tensor = tensors.get(name);
        return tensor !== undefined && tf.util.arraysEqual(tensor.shape, this.get(name).shape);
      });
    if (!fits) throw new Error('replaceAll needs exactly the held parameters, each with its held shape');
    for (const [name, tensor] of tensors) {
      this.param(name).variable.assign(tensor);
      tensor.dispose();
    }
  }

  dispose(): void {
    for (const p of this.params.values()) p.variable.dispose();
    this.params.clear();
  }

  private param(name: string): Param {
    const param = this.params.get(name);
    if (!param) throw new Error(`no parameter named ${name}`);
    return param;
  }
}
