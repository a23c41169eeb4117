/**
 * Float32 products on XNNPACK at any place of a tfjs wasm module's heap: the module's own
 * BatchMatMul (batch 1, untransposed: its XNNPACK path) on operands registered with its C++ side
 * under temporary tensor ids that point wherever the caller says, so that nothing is copied.
 * Used by the kernels on the backend's module and, in the kernel workers, on each worker's own
 * module (worker_pool.ts), so it is self-contained: it runs from its source text there.
 */

/** The parts of a tfjs wasm module (emscripten) that products need. */
export interface TfjsModule {
  cwrap(name: string, ret: string | null, args: string[]): (...args: unknown[]) => unknown;
  HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

export interface XnnProducts {
  /** The module's heap as float32, renewed when the heap grows (after scratch or multiply). */
  heap(): Float32Array;
  /** Float offsets of room for each of `sizes` floats, kept for the next calls (grown when short). */
  scratch(sizes: number[]): number[];
  /**
   * out [m, n] = a [m, k] @ b [k, n], at float offsets of the heap. keepB: b holds the same values
   * as in the last call, whose operator (with b packed in it) is reused.
   */
  multiply(a: number, b: number, out: number, m: number, k: number, n: number, keepB: boolean): void;
  /** Frees the operator kept for b; call once b's memory may hold other data. */
  forgetB(): void;
}

export function xnnProducts(module: TfjsModule): XnnProducts {
  // Far above the ids tfjs hands out (it counts up from 1). Disposing an id frees the XNNPACK
  // operator the module cached on it, which holds a packed copy of b.
  const [A, B, OUT] = [0x7ffffff0, 0x7ffffff1, 0x7ffffff2];
  const register = module.cwrap('register_tensor', null, ['number', 'number', 'number']);
  const dispose = module.cwrap('dispose_data', null, ['number']);
  const matMul = module.cwrap('BatchMatMul', null, [
    'number',
    'array',
    'number',
    'number',
    'array',
    'number',
    'number',
    'number',
    'number',
  ]);
  const shape = (dims: number[]) => new Uint8Array(new Int32Array(dims).buffer);
  let room = 0;
  let base = 0;
  let bKept = false;
  const forgetB = () => {
    if (bKept) dispose(B);
    bKept = false;
  };
  return {
    heap: () => module.HEAPF32,
    scratch(sizes: number[]): number[] {
      const total = sizes.reduce((sum, s) => sum + s, 0);
      if (total > room) {
        if (room > 0) module._free(base * 4);
        base = module._malloc(total * 4) / 4;
        room = total;
      }
      const offsets: number[] = [];
      sizes.reduce((at, s) => (offsets.push(at), at + s), base);
      return offsets;
    },
    multiply(a: number, b: number, out: number, m: number, k: number, n: number, keepB: boolean): void {
      if (!(keepB && bKept)) {
        forgetB();
        register(B, k * n, b * 4);
        bKept = true;
      }
      register(A, m * k, a * 4);
      register(OUT, m * n, out * 4);
      try {
        matMul(A, shape([1, m, k]), 3, B, shape([1, k, n]), 3, false, false, OUT);
      } finally {
        dispose(A);
        dispose(OUT);
      }
    },
    forgetB,
  };
}

const productsOf = new WeakMap<TfjsModule, XnnProducts>();

/** The products on `module`, made once per module (the backend's own, on the calling thread). */
export function moduleProducts(module: TfjsModule): XnnProducts {
  let products = productsOf.get(module);
  if (!products) {
    products = xnnProducts(module);
    productsOf.set(module, products);
  }
  return products;
}
