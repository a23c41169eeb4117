import * as tf from '@tensorflow/tfjs-core';
import { installWasmKernels } from '../models/kernels';

export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
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
}

export interface ActiveBackend {
  name: BackendName;
  packageName: string;
  version: string;
  /** One line saying which backends were passed over and why (auto only), or undefined. */
  notice?: string;
}

export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}

function packageVersion(packageName: string): string {
  try {
    return (require(`${packageName}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Loads the package behind a backend and initialises it; throws with the reason when it cannot. */
async function activate(name: BackendName): Promise<void> {
  const spec = SPECS[name];
  try {
    require.resolve(spec.packageName);
  } catch {
    throw new BackendError(`${spec.packageName} is not installed` + (spec.optional ? ` (optional: npm install ${spec.packageName})` : ''));
  }
  try {
    require(spec.packageName);
    if (name === 'cpu') {
      // Silences the cpu backend's first-use banner; our own notice already says what to install.
      tf.env().set('PROD', true);
    }
    if (name === 'wasm') {
      // The threaded wasm build cannot start its workers under Node; the single-threaded SIMD build can.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      installWasmKernels();
    }
  } catch (err) {
    throw new BackendError(`${spec.packageName} failed to load: ${firstLine(err)}`);
  }
  if (!tf.findBackendFactory(spec.registeredAs)) {
    throw new BackendError(`${spec.packageName} loaded but registered no '${spec.registeredAs}' backend with this @tensorflow/tfjs-core (${tf.version_core}); its version must match`);
  }
  let ok = false;
  try {
    ok = await tf.setBackend(spec.registeredAs);
  } catch (err) {
    throw new BackendError(`${spec.packageName} failed to initialise: ${firstLine(err)}`);
  }
  if (!ok) throw new BackendError(`${spec.packageName} failed to initialise`);
  await tf.ready();
}

let active: ActiveBackend | undefined;

/**
 * Initialises a TensorFlow.js backend. 'auto' takes the first that loads in the order
 * tensorflow-gpu, tensorflow, wasm, cpu, and reports the ones passed over in `notice`.
 */
export async function setupBackend(choice: BackendChoice = 'auto'): Promise<ActiveBackend> {
  if (choice !== 'auto' && !BACKEND_NAMES.includes(choice)) {
    throw new BackendError(`unknown backend '${choice}' (valid: auto, ${BACKEND_NAMES.join(', ')})`);
  }
  if (active && (choice === 'auto' || choice === active.name)) return active;
  const candidates: readonly BackendName[] = choice === 'auto' ? BACKEND_NAMES : [choice];
  const skipped: string[] = [];
  for (const name of candidates) {
    try {
      await activate(name);
      active = {
        name,
        packageName: SPECS[name].packageName,
        version: packageVersion(SPECS[name].packageName),
        notice: skipped.length ? `backend: using ${name}; ${skipped.join('; ')}` : undefined,
      };
      return active;
    } catch (err) {
      if (choice !== 'auto') throw new BackendError(`backend '${name}' is not usable: ${firstLine(err)}`);
      skipped.push(`${name} not usable (${firstLine(err)})`);
    }
  }
  throw new BackendError(`no backend is usable: ${skipped.join('; ')}`);
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
      await activate(name);
      statuses.push({ name, packageName, usable: true, reason: `${packageName} ${packageVersion(packageName)} loaded` });
    } catch (err) {
      statuses.push({ name, packageName, usable: false, reason: firstLine(err) });
    }
  }
  if (before) await tf.setBackend(SPECS[before.name].registeredAs);
  return statuses;
}
