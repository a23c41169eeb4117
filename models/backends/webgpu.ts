/**
 * The webgpu backend in Node: @tensorflow/tfjs-backend-webgpu on Dawn's Node binding (the `webgpu`
 * package). Dawn finds a Vulkan adapter: a GPU through its driver, or Mesa's lavapipe (a software
 * adapter, slow: for tests). This file gives TensorFlow.js the `navigator.gpu` it expects, picks
 * the adapter, creates the device itself (so that device errors are caught and reported once rather
 * than as a cascade of validation errors), and lets the process exit when done.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { uploadByWriteBuffer, UploadingBackend } from './webgpu_upload';

/**
 * The environment variable that picks Dawn's adapter: Dawn takes the first adapter whose device name
 * contains its value (Dawn's `adapter=` option). An unmatched value lists the adapters Dawn found.
 */
export const ADAPTER_ENV = 'BSBR_WEBGPU_ADAPTER';

/** What the adapter says of itself, recorded with every run. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation of Vulkan (lavapipe): correct but slower than the wasm backend. */
  software: boolean;
  /** The largest buffer one kernel may bind: no tensor may be larger. */
  maxStorageBufferBindingSize: number;
  /** GPU timestamps can be taken (the `timestamp-query` feature). */
  timestampQuery: boolean;
}

/** The few parts of the WebGPU API used here (the package is optional, so its types are not assumed). */
interface GpuAdapter {
  info: { vendor: string; architecture: string; device: string; description: string };
  features: ReadonlySet<string>;
  limits: Record<string, number>;
  requestDevice(descriptor: { requiredFeatures: string[]; requiredLimits: Record<string, number> }): Promise<GpuDevice>;
}
interface GpuDevice {
  addEventListener(type: 'uncapturederror', listener: (event: { error: { message: string } }) => void): void;
  lost: Promise<{ reason: string; message: string }>;
  queue: {
    onSubmittedWorkDone(): Promise<void>;
    writeBuffer(buffer: unknown, offset: number, data: ArrayBufferView): void;
  };
}
interface GPU {
  requestAdapter(options: { powerPreference: string }): Promise<GpuAdapter | null>;
}
type WebGpuBackendClass = new (device: GpuDevice, info: unknown) => tf.KernelBackend;

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

interface GpuState {
  gpu: GPU;
  adapter: GpuAdapter;
  info: AdapterInfo;
  device?: GpuDevice;
  registered?: boolean;
  /** The first error the device reported (out of memory, validation, loss), until taken. */
  error?: string;
}

let state: GpuState | undefined;

function describeAdapter(adapter: GpuAdapter): AdapterInfo {
  const info = adapter.info;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software:
      info.architecture === 'software' || /llvmpipe|lavapipe|swiftshader/i.test(`${info.device} ${info.description}`),
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    timestampQuery: adapter.features.has('timestamp-query'),
  };
}

/**
 * Dawn's native binding from the `webgpu` package. Its entry point is an ES module (which this
 * CommonJS package, and jest, cannot require everywhere); the binding it loads is the whole API.
 */
function loadDawn(): DawnModule {
  const root = path.dirname(require.resolve('webgpu/package.json'));
  const platform = process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`;
  return require(path.join(root, 'dist', platform, 'dawn.node')) as DawnModule;
}

/**
 * Finds Dawn's adapter (the high-performance one), without initialising TensorFlow.js. Throws with
 * the reason when the package is missing or Dawn finds no adapter.
 */
export async function findAdapter(): Promise<AdapterInfo> {
  if (state) return state.info;
  let dawn: DawnModule;
  try {
    dawn = loadDawn();
  } catch (err) {
    throw new Error(
      `the webgpu package is not installed or failed to load (${String((err as Error).message).split('\n')[0]})`,
    );
  }
  const wanted = process.env[ADAPTER_ENV];
  // Timestamps unquantized: the GPU kernel times that compare records would otherwise round to coarse steps.
  const gpu = dawn.create(['disable-dawn-features=timestamp_quantization', ...(wanted ? [`adapter=${wanted}`] : [])]);
  let adapter: GpuAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    if (!wanted) throw err;
    const found = String((err as Error).message ?? err)
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .join(' ');
    throw new Error(`${ADAPTER_ENV}='${wanted}' matches no adapter's name; ${found}`);
  }
  if (!adapter)
    throw new Error(
      'Dawn found no WebGPU adapter (no Vulkan driver: install a GPU driver, or mesa-vulkan-drivers for lavapipe)',
    );
  Object.assign(globalThis, dawn.globals);
  state = { gpu, adapter, info: describeAdapter(adapter) };
  return state.info;
}

/**
 * Registers the webgpu backend on the adapter findAdapter chose. TensorFlow.js's own factory is
 * replaced by one that requests the device with the same features and limits (features as a flat
 * list: 4.22 nests one in an array) and listens for the device's errors.
 */
export function registerWebGpu(): void {
  if (!state) throw new Error('findAdapter() must run first');
  // An adapter gives one device: a backend made from it stays registered until releaseWebGpu.
  if (state.registered) return;
  state.registered = true;
  const gpuState = state;
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav) nav.gpu = gpuState.gpu;
  else (globalThis as { navigator?: unknown }).navigator = { gpu: gpuState.gpu };
  // The package registers its factory on import when navigator.gpu exists; ours replaces it.
  const { WebGPUBackend } = require('@tensorflow/tfjs-backend-webgpu') as { WebGPUBackend: WebGpuBackendClass };
  // Off: the backend would otherwise run an op on the CPU, in a per-element JS loop, whenever its
  // inputs are small host values (a range, a table), however large the output (a [512, 512] mask
  // from two ranges, say).
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const { adapter } = gpuState;
      const features = ['timestamp-query', 'bgra8unorm-storage'].filter((f) => adapter.features.has(f));
      const limits = adapter.limits;
      const device = await adapter.requestDevice({
        requiredFeatures: features,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        },
      });
      device.addEventListener('uncapturederror', (event) => {
        gpuState.error ??= event.error.message.split('\n')[0];
      });
      void device.lost.then((info) => {
        if (info.reason !== 'destroyed') gpuState.error ??= `the GPU device was lost: ${info.message.split('\n')[0]}`;
      });
      gpuState.device = device;
      const backend = new WebGPUBackend(device, adapter.info);
      uploadByWriteBuffer(backend as unknown as UploadingBackend, device.queue);
      return backend;
    },
    3,
  );
}

/**
 * Throws the first error the GPU device reported since the last call (Dawn reports an out-of-memory
 * or validation error asynchronously, on a later call, not where it happened), once.
 */
export async function throwDeviceError(): Promise<void> {
  if (!state?.device) return;
  // Errors of work already submitted arrive once the queue has finished it.
  await state.device.queue.onSubmittedWorkDone();
  const error = state.error;
  if (error) {
    state.error = undefined;
    throw new Error(`GPU error: ${error}`);
  }
}

/**
 * Releases Dawn so the process can exit: the backend (and its device) is removed and
 * `navigator.gpu` deleted. Safe to call when webgpu was never set up.
 */
export function releaseWebGpu(): void {
  if (!state) return;
  if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu === state.gpu) delete (globalThis as { navigator?: unknown }).navigator;
  state = undefined;
}
