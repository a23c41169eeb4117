import * as tf from '@tensorflow/tfjs-core';

/** mulberry32: a small, fast, well-mixed 32-bit generator; enough for weight initialisation. */
function mulberry32(seed: number): () => number {
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
  | { kind: 'uniform'; bound: number }
  | { kind: 'normal'; std: number }
  | { kind: 'constant'; value: number };

/**
 * Owns every weight of a model under its state-dict name. Weights are drawn from a generator seeded
 * by (seed, name), so the same seed gives the same weights on every backend.
 */
export class ParamStore {
  private readonly tensors = new Map<string, tf.Tensor>();

  constructor(private readonly seed: number) {}

  create(name: string, shape: number[], init: Initialiser): tf.Tensor {
    if (this.tensors.has(name)) throw new Error(`parameter ${name} is defined twice`);
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
    const tensor = tf.keep(tf.tensor(values, shape, 'float32'));
    this.tensors.set(name, tensor);
    return tensor;
  }

  get(name: string): tf.Tensor {
    const tensor = this.tensors.get(name);
    if (!tensor) throw new Error(`no parameter named ${name}`);
    return tensor;
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  count(): number {
    let total = 0;
    for (const t of this.tensors.values()) total += t.size;
    return total;
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
  }
}
