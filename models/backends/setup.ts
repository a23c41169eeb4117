/**
 * Backend selection: which TensorFlow.js backends load here, and setting one up with this
 * package's kernels installed. The lowest layer of the package, below the ops and the models.
 */
import * as tf from '@tensorflow/tfjs-core';
import { firstLine, InputError } from '../errors';
import { installWasmKernels } from '../kernels/wasm/install';
import { installWebGpuKernels } from '../kernels/webgpu/install';
import { ALL_CORES, startWasm } from './wasm_threads';
import { AdapterInfo, findAdapter, registerWebGpu, releaseWebGpu } from './webgpu';

/** In the order auto tries them (webgpu only on a hardware adapter). */
export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = BackendName | 'auto';

interface BackendSpec {
  /** The package that provides it. */
  packageName: string;
  /** The name it registers under in TensorFlow.js. */
  registeredAs: string;
  optional: boolean;
}

const SPECS: Record<BackendName, BackendSpec> = {
  'tensorflow-gpu': { packageName: '@tensorflow/tfjs-node-gpu', registeredAs: 'tensorflow', optional: true },
  webgpu: { packageName: '@tensorflow/tfjs-backend-webgpu', registeredAs: 'webgpu', optional: true },
  tensorflow: { packageName: '@tensorflow/tfjs-node', registeredAs: 'tensorflow', optional: true },
  wasm: { packageName: '@tensorflow/tfjs-backend-wasm', registeredAs: 'wasm', optional: false },
  cpu: { packageName: '@tensorflow/tfjs-backend-cpu', registeredAs: 'cpu', optional: false },
};

export interface BackendStatus {
  name: BackendName;
  packageName: string;
  usable: boolean;
  /** Why it is or is not usable, in a few words. */
  reason: string;
  adapter?: AdapterInfo;
}

export interface ActiveBackend {
  name: BackendName;
  packageName: string;
  version: string;
  /** One line saying which backends were passed over and why (auto only), or undefined. */
  notice?: string;
  /** webgpu only: the adapter it runs on. */
  adapter?: AdapterInfo;
  /** The threads its kernels run on: wasm's pool (the calling thread included), 1 for cpu, null where not set here. */
  threads: number | null;
}

export interface BackendOptions {
  /** The wasm backend's threads (default: every core); other backends ignore it. */
  threads?: number;
}

/** A backend that is unknown or cannot be used here. */
export class BackendError extends InputError {
  constructor(message: string) {
    super('backend', message);
  }
}

function packageVersion(packageName: string): string {
  try {
    return (require(`${packageName}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** What setting a backend up found: webgpu's adapter, the threads, a notice about them. */
interface Activation {
  adapter?: AdapterInfo;
  threads: number | null;
  notice?: string;
}

/**
 * Loads the package behind a backend and initialises it; throws with the reason when it cannot.
 * `hardwareOnly` refuses a software webgpu adapter (auto: lavapipe is slower than wasm).
 */
async function activate(name: BackendName, hardwareOnly: boolean, threads: number): Promise<Activation> {
  const spec = SPECS[name];
  let adapter: AdapterInfo | undefined;
  try {
    require.resolve(spec.packageName);
  } catch {
    throw new BackendError(
      `${spec.packageName} is not installed` + (spec.optional ? ` (optional: npm install ${spec.packageName})` : ''),
    );
  }
  if (name === 'webgpu') {
    try {
      adapter = await findAdapter();
    } catch (err) {
      throw new BackendError(firstLine(err));
    }
    if (hardwareOnly && adapter.software) {
      throw new BackendError(
        `only a software adapter (${adapter.device}), slower than wasm: ask for --backend webgpu to use it`,
      );
    }
  }
  try {
    if (name === 'webgpu') {
      registerWebGpu();
      installWebGpuKernels();
    } else require(spec.packageName);
    if (name === 'cpu') {
      // Silences the cpu backend's first-use banner; our own notice already says what to install.
      tf.env().set('PROD', true);
    }
    if (name === 'wasm') installWasmKernels();
  } catch (err) {
    throw new BackendError(`${spec.packageName} failed to load: ${firstLine(err)}`);
  }
  if (!tf.findBackendFactory(spec.registeredAs)) {
    throw new BackendError(
      `${spec.packageName} loaded but registered no '${spec.registeredAs}' backend with this @tensorflow/tfjs-core (${tf.version_core}); its version must match`,
    );
  }
  let ok = false;
  try {
    if (name === 'wasm') return await startWasm(threads);
    ok = await tf.setBackend(spec.registeredAs);
  } catch (err) {
    throw new BackendError(`${spec.packageName} failed to initialise: ${firstLine(err)}`);
  }
  if (!ok) throw new BackendError(`${spec.packageName} failed to initialise`);
  await tf.ready();
  return { adapter, threads: name === 'cpu' ? 1 : null };
}

let active: ActiveBackend | undefined;
/** The thread count setupBackend was last asked for (wasm is set up again for another). */
let activeThreads: number | undefined;

function threadCount(options: BackendOptions): number {
  const threads = options.threads ?? ALL_CORES;
  if (!Number.isInteger(threads) || threads < 1)
    throw new InputError('threads', `threads must be a positive integer, not ${threads}`);
  return threads;
}

/**
 * Initialises a TensorFlow.js backend. 'auto' takes the first that loads in the order
 * tensorflow-gpu, webgpu (hardware adapters only), tensorflow, wasm, cpu, and reports the ones
 * passed over in `notice`. Names are case-insensitive. wasm runs on `options.threads` threads
 * (default: every core), or on one where threads cannot start (`notice` says why).
 */
export async function setupBackend(
  requested: BackendChoice = 'auto',
  options: BackendOptions = {},
): Promise<ActiveBackend> {
  const choice = parseBackendChoice(requested);
  const threads = threadCount(options);
  if (active && (choice === 'auto' || choice === active.name) && (active.name !== 'wasm' || activeThreads === threads))
    return active;
  const candidates: readonly BackendName[] = choice === 'auto' ? BACKEND_NAMES : [choice];
  const skipped: { name: BackendName; reason: string }[] = [];
  for (const name of candidates) {
    try {
      const { adapter, threads: running, notice } = await activate(name, choice === 'auto', threads);
      // One short line: the backends passed over by name (their reasons are long: a missing module's require stack).
      const passedOver = skipped.length
        ? [`${skipped.map((s) => `${s.name} not usable`).join(', ')} (probeBackends() or bsbr backends says why)`]
        : [];
      const notes = notice ? [...passedOver, notice] : passedOver;
      active = {
        name,
        packageName: SPECS[name].packageName,
        version: packageVersion(SPECS[name].packageName),
        notice: notes.length ? `backend: using ${name}; ${notes.join('; ')}` : undefined,
        adapter,
        threads: running,
      };
      activeThreads = threads;
      return active;
    } catch (err) {
      if (choice !== 'auto') throw new BackendError(`backend '${name}' is not usable: ${firstLine(err)}`);
      skipped.push({ name, reason: firstLine(err) });
    }
  }
  throw new BackendError(`no backend is usable: ${skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`);
}

/** A backend name in any case, checked: 'auto' or one of BACKEND_NAMES. */
export function parseBackendChoice(name: string): BackendChoice {
  const lower = name.toLowerCase();
  if (lower === 'auto') return 'auto';
  const known = BACKEND_NAMES.find((b) => b === lower);
  if (!known) throw new BackendError(`unknown backend '${name}' (valid: auto, ${BACKEND_NAMES.join(', ')})`);
  return known;
}

/**
 * Lets the process exit: releases the GPU device where webgpu was set up (Dawn keeps a process
 * alive while its device lives). Another backend can be set up afterwards.
 */
export function releaseBackend(): void {
  if (active?.name === 'webgpu') active = undefined;
  releaseWebGpu();
}

/** The backend set up by setupBackend, if any. */
export function activeBackend(): ActiveBackend | undefined {
  return active;
}

/**
 * Which backends can be used here and why the others cannot. Probing the native ones loads them;
 * the backend in use afterwards is the one that was active before (or none).
 */
export async function probeBackends(): Promise<BackendStatus[]> {
  const before = active;
  const statuses: BackendStatus[] = [];
  for (const name of BACKEND_NAMES) {
    const packageName = SPECS[name].packageName;
    try {
      const { adapter } = await activate(name, false, activeThreads ?? ALL_CORES);
      const on = adapter
        ? ` on ${adapter.software ? 'a software adapter' : 'a hardware adapter'}: ${adapter.vendor} ${adapter.device}`
        : '';
      statuses.push({
        name,
        packageName,
        usable: true,
        reason: `${packageName} ${packageVersion(packageName)} loaded${on}`,
        adapter,
      });
    } catch (err) {
      statuses.push({ name, packageName, usable: false, reason: firstLine(err) });
    }
  }
  if (before) await tf.setBackend(SPECS[before.name].registeredAs);
  return statuses;
}
