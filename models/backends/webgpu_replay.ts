/**
 * A step of fixed shapes captured once on the webgpu backend and replayed: each replay writes the
 * step's new inputs and submits the captured dispatches again, without TensorFlow.js. On a GPU a
 * small model's training step is host-bound: every op costs TensorFlow.js's bookkeeping, a uniform
 * buffer, a bind group and Dawn's validation (docs/gpu.md), several hundred times per step. A replay
 * costs one setPipeline, setBindGroup and dispatch per kernel. ONNX Runtime's WebGPU graph capture
 * does the same for fixed shapes.
 *
 * How: `captureStep` runs the step through TensorFlow.js once with no submit inside it (so no buffer
 * is released and reused within the step), recording every pass command, copy, bind group and host
 * write. Two captures of consecutive steps are compared (`replayable`): the same kernels in the same
 * order over the same dataflow (buffers in one-to-one correspondence), and the same host writes
 * except into the declared inputs. Then the second is replayed: its buffers are taken out of
 * TensorFlow.js's pool for as long as the replay lives, the state the step reads (weights, moments)
 * is copied from where the step wrote it to where it reads it, the inputs are written and the
 * commands submitted. The state tensors stay the ones TensorFlow.js holds, so anything read between
 * replays (a test evaluation) sees the latest weights.
 */
import * as tf from '@tensorflow/tfjs-core';

/* The parts of WebGPU and of TensorFlow.js's WebGPUBackend (4.22) a capture touches. */
type Buffer = { size: number; usage: number };
type Opaque = object;
interface Pass {
  setPipeline(pipeline: Opaque): void;
  setBindGroup(index: number, group: Opaque): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}
interface Encoder {
  beginComputePass(descriptor?: object): Pass;
  copyBufferToBuffer(source: Buffer, sourceOffset: number, target: Buffer, targetOffset: number, size: number): void;
  finish(): Opaque;
}
interface Queue {
  writeBuffer(
    buffer: Buffer,
    offset: number,
    data: ArrayBufferView | ArrayBuffer,
    dataOffset?: number,
    size?: number,
  ): void;
  submit(buffers: Opaque[]): void;
}
interface Device {
  queue: Queue;
  createCommandEncoder(descriptor?: object): Encoder;
  createBindGroup(descriptor: { entries: Array<{ binding: number; resource: { buffer?: Buffer } }> }): Opaque;
}
interface Backend {
  device: Device;
  commandEncoder: Encoder | null;
  endComputePassEncoder(): void;
  submitQueue(): void;
  uploadToGPU(dataId: object): void;
  tensorMap: { get(dataId: object): { resource: unknown; values: unknown } | undefined };
  bufferManager: {
    freeBuffers: Map<string, Buffer[]>;
    numFreeBuffers: number;
    releaseBuffer(buffer: Buffer, reuse?: boolean): void;
  };
}

type Command =
  | { kind: 'dispatch'; pipeline: Opaque; group: Opaque; size: [number, number, number] }
  | { kind: 'copy'; source: Buffer; sourceOffset: number; target: Buffer; targetOffset: number; size: number };

interface Write {
  buffer: Buffer;
  offset: number;
  bytes: Uint8Array;
}

/** What one step's tensors are to a capture. */
export interface StepIo {
  /** The step's inputs, by name: their host values are written anew on each replay. */
  inputs: Record<string, tf.Tensor>;
  /**
   * The state the step reads and replaces (weights, optimizer moments, a running sum), as tensors:
   * called before the step and after it, the i-th tensor after is the i-th before's new value.
   */
  state: () => tf.Tensor[];
}

/** One captured step. */
export interface StepCapture {
  readonly commands: Command[];
  readonly writes: Write[];
  /** Each bind group's buffers, in binding order (binding 0 is the output a kernel writes). */
  readonly groups: Map<Opaque, Buffer[]>;
  readonly inputs: Map<string, Buffer>;
  readonly before: Buffer[];
  readonly after: Buffer[];
  /** Why it cannot be replayed, if it cannot. */
  readonly refusal: string | null;
}

const SUBMIT_BATCH = 'WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE';

const backendOf = () => tf.backend() as unknown as Backend;

/** Submits what the backend has recorded and not yet submitted. */
function flush(backend: Backend): void {
  backend.endComputePassEncoder();
  if (backend.commandEncoder) backend.submitQueue();
}

/** A tensor's buffer, uploaded first if its values are still on the host. */
function bufferOf(backend: Backend, t: tf.Tensor): Buffer {
  backend.uploadToGPU(t.dataId);
  return backend.tensorMap.get(t.dataId)!.resource as Buffer;
}

/** The bytes writeBuffer writes (dataOffset and size count elements of a typed array, bytes of an ArrayBuffer). */
function bytesOf(data: ArrayBufferView | ArrayBuffer, dataOffset = 0, size?: number): Uint8Array {
  if (data instanceof ArrayBuffer)
    return new Uint8Array(data, dataOffset, size ?? data.byteLength - dataOffset).slice();
  const unit = (data as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
  const start = data.byteOffset + dataOffset * unit;
  return new Uint8Array(
    data.buffer,
    start,
    size === undefined ? data.byteLength - dataOffset * unit : size * unit,
  ).slice();
}

/** Replaces obj[name] by wrap(the current one) and returns what puts the current one back. */
function patch<T extends object, K extends keyof T>(obj: T, name: K, wrap: (original: T[K]) => T[K]): () => void {
  const own = Object.prototype.hasOwnProperty.call(obj, name);
  const original = obj[name];
  obj[name] = wrap(original);
  return () => {
    if (own) obj[name] = original;
    else delete obj[name];
  };
}

/**
 * Runs `step` (which must make no readback) through TensorFlow.js, recording what it submits;
 * its effects are those of running it plainly.
 */
export function captureStep(step: () => void, io: StepIo): StepCapture {
  const backend = backendOf();
  const { device } = backend;
  const queue = device.queue;
  flush(backend);
  const before = io.state().map((t) => bufferOf(backend, t));
  const commands: Command[] = [];
  const writes: Write[] = [];
  const groups = new Map<Opaque, Buffer[]>();
  let refusal: string | null = null;
  const refuse = (why: string) => (refusal ??= why);

  const pass = (real: Pass): Pass => {
    let pipeline: Opaque | null = null;
    let group: Opaque | null = null;
    return new Proxy(real, {
      get(target, name) {
        const method = (target as unknown as Record<string | symbol, unknown>)[name];
        if (name === 'setPipeline')
          return (p: Opaque) => {
            pipeline = p;
            target.setPipeline(p);
          };
        if (name === 'setBindGroup')
          return (index: number, g: Opaque, ...rest: unknown[]) => {
            if (index !== 0 || rest.length) refuse('a bind group other than group 0 without offsets');
            group = g;
            target.setBindGroup(index, g);
          };
        if (name === 'dispatchWorkgroups')
          return (x: number, y = 1, z = 1) => {
            if (!pipeline || !group) refuse('a dispatch without a pipeline or bind group');
            else commands.push({ kind: 'dispatch', pipeline, group, size: [x, y, z] });
            target.dispatchWorkgroups(x, y, z);
          };
        if (name === 'end') return () => target.end();
        if (typeof method === 'function') refuse(`the pass command ${String(name)}`);
        return typeof method === 'function' ? method.bind(target) : method;
      },
    });
  };
  const encoder = (real: Encoder): Encoder =>
    new Proxy(real, {
      get(target, name) {
        const method = (target as unknown as Record<string | symbol, unknown>)[name];
        if (name === 'beginComputePass')
          return (descriptor?: object) => {
            if (descriptor && Object.keys(descriptor).length) refuse('a pass with timestamps');
            return pass(target.beginComputePass(descriptor));
          };
        if (name === 'copyBufferToBuffer')
          return (source: Buffer, sourceOffset: number, t: Buffer, targetOffset: number, size: number) => {
            // A staging buffer is destroyed once submitted: a replay could not read it again.
            if (source.usage & GPUBufferUsage.MAP_WRITE) refuse('an upload through a staging buffer');
            commands.push({ kind: 'copy', source, sourceOffset, target: t, targetOffset, size });
            target.copyBufferToBuffer(source, sourceOffset, t, targetOffset, size);
          };
        if (name === 'finish') return () => target.finish();
        if (typeof method === 'function') refuse(`the encoder command ${String(name)}`);
        return typeof method === 'function' ? method.bind(target) : method;
      },
    });

  const batch = tf.env().get(SUBMIT_BATCH);
  const restores = [
    patch(
      device,
      'createCommandEncoder',
      (original) => (descriptor?: object) => encoder(original.call(device, descriptor)),
    ),
    patch(device, 'createBindGroup', (original) => (descriptor) => {
      const group = original.call(device, descriptor);
      const buffers = [...descriptor.entries]
        .sort((a, b) => a.binding - b.binding)
        .map((entry) => entry.resource.buffer ?? refuse('a binding that is not a buffer'));
      groups.set(group, buffers as Buffer[]);
      return group;
    }),
    patch(queue, 'writeBuffer', (original) => (buffer, offset, data, dataOffset, size) => {
      writes.push({ buffer, offset, bytes: bytesOf(data, dataOffset, size) });
      original.call(queue, buffer, offset, data, dataOffset, size);
    }),
    patch(queue, 'submit', (original) => (buffers) => {
      refuse('a submit inside the step (a readback, or a timed kernel)');
      original.call(queue, buffers);
    }),
  ];
  tf.env().set(SUBMIT_BATCH, Number.MAX_SAFE_INTEGER);
  try {
    step();
  } finally {
    tf.env().set(SUBMIT_BATCH, batch);
    restores.forEach((restore) => restore());
  }
  const after = io.state().map((t) => bufferOf(backend, t));
  const inputs = new Map(Object.entries(io.inputs).map(([name, t]) => [name, bufferOf(backend, t)]));
  flush(backend);
  return { commands, writes, groups, inputs, before, after, refusal };
}

/** Why the second capture cannot stand for the first's step and those after it; null when it can. */
export function replayable(first: StepCapture, second: StepCapture): string | null {
  if (first.refusal ?? second.refusal) return first.refusal ?? second.refusal;
  const forward = new Map<Buffer, Buffer>();
  const backward = new Map<Buffer, Buffer>();
  // The buffers' one-to-one correspondence, built as the two steps are walked side by side.
  const same = (a: Buffer, b: Buffer) => {
    if ((forward.get(a) ?? b) !== b || (backward.get(b) ?? a) !== a) return false;
    forward.set(a, b);
    backward.set(b, a);
    return a.size === b.size;
  };
  const sameAll = (a: Buffer[], b: Buffer[]) => a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (!sameAll(first.before, second.before) || !sameAll(first.after, second.after)) return 'the state differs';
  const names = [...first.inputs.keys()];
  if (!names.every((name) => second.inputs.has(name) && same(first.inputs.get(name)!, second.inputs.get(name)!)))
    return 'the inputs differ';
  if (first.commands.length !== second.commands.length) return 'the steps run different numbers of commands';
  for (let i = 0; i < first.commands.length; i++) {
    const [a, b] = [first.commands[i], second.commands[i]];
    if (a.kind === 'dispatch' && b.kind === 'dispatch') {
      if (a.pipeline !== b.pipeline || a.size.some((s, j) => s !== b.size[j])) return `kernel ${i} differs`;
      if (!sameAll(first.groups.get(a.group)!, second.groups.get(b.group)!)) return `kernel ${i}'s buffers differ`;
    } else if (a.kind === 'copy' && b.kind === 'copy') {
      if (a.size !== b.size || !same(a.source, b.source) || !same(a.target, b.target)) return `copy ${i} differs`;
    } else return `command ${i} differs`;
  }
  const inputBuffers = new Set(second.inputs.values());
  const constant = (c: StepCapture, inputs: Set<Buffer>) => c.writes.filter((w) => !inputs.has(w.buffer));
  const [wa, wb] = [constant(first, new Set(first.inputs.values())), constant(second, inputBuffers)];
  if (wa.length !== wb.length) return 'the steps write different numbers of host values';
  for (let i = 0; i < wa.length; i++) {
    const [a, b] = [wa[i], wb[i]];
    if (!same(a.buffer, b.buffer) || a.offset !== b.offset || a.bytes.length !== b.bytes.length)
      return `host write ${i} differs`;
    if (a.bytes.some((byte, j) => byte !== b.bytes[j])) return `host write ${i} writes other values (not an input)`;
  }
  return null;
}

/** A captured step, replayed. */
export class StepReplay {
  /** The capture's buffers out of the pool, each with the free list it came from. */
  private readonly parked = new Map<Buffer, Buffer[]>();
  private readonly restore: () => void;

  /** Takes the capture's buffers out of the backend's pool; `state` as the capture's StepIo gave it. */
  constructor(
    private readonly capture: StepCapture,
    private readonly state: () => tf.Tensor[],
  ) {
    const manager = backendOf().bufferManager;
    const owned = new Set<Buffer>([...capture.before, ...capture.inputs.values()]);
    for (const buffers of capture.groups.values()) buffers.forEach((b) => owned.add(b));
    for (const c of capture.commands) if (c.kind === 'copy') [c.source, c.target].forEach((b) => owned.add(b));
    capture.writes.forEach((w) => owned.add(w.buffer));
    // The state after the step stays with the tensors that hold it.
    capture.after.forEach((b) => owned.delete(b));
    const park = (buffer: Buffer) => {
      const free = [...manager.freeBuffers.values()].find((list) => list.includes(buffer));
      if (!free) return;
      free.splice(free.indexOf(buffer), 1);
      manager.numFreeBuffers--;
      this.parked.set(buffer, free);
    };
    owned.forEach(park);
    // Those still held by a tensor (the inputs) are parked once it lets them go.
    this.restore = patch(manager, 'releaseBuffer', (release) => (buffer: Buffer, reuse = true) => {
      release.call(manager, buffer, reuse);
      if (reuse && owned.has(buffer)) park(buffer);
    });
  }

  /** One step: the inputs' new host values (each at most its captured buffer's size), then the kernels. */
  replay(inputs: Record<string, ArrayBufferView>): void {
    const backend = backendOf();
    const { device } = backend;
    const { before, after, commands } = this.capture;
    flush(backend);
    for (const [name, buffer] of this.capture.inputs) {
      const data = inputs[name];
      if (!data || data.byteLength > buffer.size)
        throw new Error(`replay: the input '${name}' needs a value of at most ${buffer.size} bytes`);
      device.queue.writeBuffer(buffer, 0, data);
    }
    const encoder = device.createCommandEncoder();
    after.forEach((from, i) => {
      if (from !== before[i]) encoder.copyBufferToBuffer(from, 0, before[i], 0, Math.min(from.size, before[i].size));
    });
    let pass: Pass | null = null;
    for (const command of commands) {
      if (command.kind === 'copy') {
        pass?.end();
        pass = null;
        encoder.copyBufferToBuffer(
          command.source,
          command.sourceOffset,
          command.target,
          command.targetOffset,
          command.size,
        );
      } else {
        pass ??= encoder.beginComputePass();
        pass.setPipeline(command.pipeline);
        pass.setBindGroup(0, command.group);
        pass.dispatchWorkgroups(...command.size);
      }
    }
    pass?.end();
    device.queue.submit([encoder.finish()]);
    // Values a read cached on the host are stale now.
    for (const t of this.state()) {
      const data = backend.tensorMap.get(t.dataId);
      if (data) data.values = null;
    }
  }

  /** Gives the buffers back to the backend's pool. */
  dispose(): void {
    const manager = backendOf().bufferManager;
    this.restore();
    for (const [buffer, free] of this.parked) {
      free.push(buffer);
      manager.numFreeBuffers++;
    }
    this.parked.clear();
  }
}
