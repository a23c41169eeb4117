/**
 * How the webgpu backend puts a tensor's host values on the GPU. TensorFlow.js 4.22 takes a buffer
 * from its pool and, since a pooled buffer is not mapped, creates a new mapped staging buffer for
 * every upload, copies through it in the command encoder (ending the compute pass there) and
 * destroys it. On a discrete GPU each such `createBuffer` costs about a millisecond of host time, and
 * a training step uploads dozens of small tensors (the scalars of `tf.mul(x, 2)`, masks, batches):
 * docs/performance.md measures it. Here the values go through `queue.writeBuffer`, which Dawn stages
 * itself, into a pooled buffer.
 *
 * Ordering: the queue runs a writeBuffer before any command buffer submitted after it. Every command
 * that reads the new tensor is recorded after this call, so it is submitted after the write; and the
 * pool only holds buffers that no unsubmitted command refers to (TensorFlow.js releases a buffer a
 * pending command uses only once that command is submitted), so the write overwrites nothing still
 * to be read.
 */

/** The parts of TensorFlow.js's WebGPUBackend (4.22) an upload touches. */
interface TensorData {
  values: ArrayLike<number> | null;
  dtype: string;
  shape: number[];
  resource: unknown;
}
export interface UploadingBackend {
  uploadToGPU(dataId: object): void;
  tensorMap: { get(dataId: object): TensorData | undefined };
  bufferManager: { acquireBuffer(size: number, usage: number): unknown };
}
export interface Queue {
  writeBuffer(buffer: unknown, offset: number, data: ArrayBufferView): void;
}

/** Replaces the backend's upload of host values by one through `queue.writeBuffer` (float32, int32 and bool tensors). */
export function uploadByWriteBuffer(backend: UploadingBackend, queue: Queue): void {
  const upload = backend.uploadToGPU.bind(backend);
  backend.uploadToGPU = (dataId: object) => {
    const data = backend.tensorMap.get(dataId);
    if (!data || data.resource != null || !data.values || data.values.length === 0) return upload(dataId);
    const { values, dtype } = data;
    // A bool is an int32 on the GPU, as TensorFlow.js's own upload writes it.
    const bytes =
      dtype === 'float32'
        ? values instanceof Float32Array
          ? values
          : Float32Array.from(values)
        : dtype === 'int32' || dtype === 'bool'
          ? values instanceof Int32Array
            ? values
            : Int32Array.from(values)
          : null;
    if (!bytes) return upload(dataId);
    const buffer = backend.bufferManager.acquireBuffer(
      bytes.byteLength,
      // A tensor's usage, as TensorFlow.js's own upload asks for it.
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    );
    queue.writeBuffer(buffer, 0, bytes);
    data.values = null;
    data.resource = buffer;
  };
}
