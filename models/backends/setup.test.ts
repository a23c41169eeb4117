import * as tf from '@tensorflow/tfjs-core';
import { unusableHere } from '../testing/harness';
import { itOrSkip } from '../testing/skip';
import { probeBackends, releaseBackend, setupBackend } from './setup';
import { throwDeviceError } from './webgpu';

/** The optional backends whose packages are not dependencies (found missing at definition, where not installed). */
const OPTIONAL = [
  ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
  ['tensorflow', '@tensorflow/tfjs-node'],
] as const;

function installed(packageName: string): boolean {
  try {
    require.resolve(packageName);
    return true;
  } catch {
    return false;
  }
}

describe('backends', () => {
  it('auto picks the first usable backend in the order tensorflow-gpu, webgpu (hardware only), tensorflow, wasm, cpu', async () => {
    const statuses = await probeBackends();
    expect(statuses.map((s) => s.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    for (const s of statuses) expect(s.reason.length).toBeGreaterThan(0);
    const first = statuses.find((s) => s.usable && !s.adapter?.software)!;
    const active = await setupBackend('auto');
    expect(active.name).toBe(first.name);
    expect(tf.getBackend()).toBe(first.name.startsWith('tensorflow') ? 'tensorflow' : first.name);
    const passedOver = statuses.slice(0, statuses.indexOf(first));
    if (passedOver.length) {
      expect(active.notice).toMatch(new RegExp(`^backend: using ${first.name}; `));
      expect(active.notice).not.toContain('\n');
      for (const s of passedOver) expect(active.notice).toContain(`${s.name} not usable`);
      expect(active.notice!.length).toBeLessThan(200);
    }
    const webgpu = statuses.find((s) => s.name === 'webgpu')!;
    if (webgpu.adapter?.software) expect(active.notice).toContain('webgpu not usable');
  });

  it('names are case-insensitive', async () => {
    expect((await setupBackend('CPU' as never)).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('wasm and cpu are always usable (they are dependencies, loaded with no network)', async () => {
    const statuses = await probeBackends();
    expect(statuses.find((s) => s.name === 'wasm')!.usable).toBe(true);
    expect(statuses.find((s) => s.name === 'cpu')!.usable).toBe(true);
  });

  const missing = OPTIONAL.find(([, packageName]) => !installed(packageName));
  itOrSkip(missing ? null : 'every optional backend is installed here: none is missing to ask for')(
    'asking for a missing optional backend is a clear error',
    async () => {
      const [name, packageName] = missing!;
      await expect(setupBackend(name)).rejects.toThrow(
        `backend '${name}' is not usable: ${packageName} is not installed (optional: npm install ${packageName})`,
      );
    },
  );

  it('refuses an unknown backend name with the valid ones', async () => {
    await expect(setupBackend('metal' as never)).rejects.toThrow(
      "unknown backend 'metal' (valid: auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu)",
    );
  });
});

describe('webgpu', () => {
  itOrSkip(unusableHere('webgpu'))(
    'reports a device error once, on the next check after the work that caused it (the measurement checks after each case)',
    async () => {
      await setupBackend('webgpu');
      await expect(throwDeviceError()).resolves.toBeUndefined();
      // An AddN of ten inputs binds eleven storage buffers, more than a device takes by default (8):
      // the kernel is invalid, and its output is never written.
      const sum = tf.addN(Array.from({ length: 10 }, (_, i) => tf.scalar(i + 1)));
      await sum.data();
      sum.dispose();
      await expect(throwDeviceError()).rejects.toThrow(/^GPU error: .*storage buffers/);
      await expect(throwDeviceError()).resolves.toBeUndefined();
    },
  );

  itOrSkip(unusableHere('webgpu'))(
    'runs when asked for by name on whatever adapter Dawn finds (lavapipe here), and agrees with cpu',
    async () => {
      const statuses = await probeBackends();
      const webgpu = statuses.find((s) => s.name === 'webgpu')!;
      expect(webgpu.usable).toBe(true);
      const active = await setupBackend('webgpu');
      expect(active.adapter!.vendor.length).toBeGreaterThan(0);
      expect(active.adapter!.maxStorageBufferBindingSize).toBeGreaterThan(0);
      const a = tf.tensor2d([
        [1, 2],
        [3, 4],
      ]);
      const product = await tf.matMul(a, a).data();
      expect(Array.from(product)).toEqual([7, 10, 15, 22]);
      tf.dispose(a);
      releaseBackend();
      expect(tf.findBackend('webgpu')).toBeFalsy();
    },
  );
});
