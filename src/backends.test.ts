import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAMES, probeBackends, setupBackend } from './backends';

describe('backends', () => {
  it('auto picks the first usable backend in the order tensorflow-gpu, tensorflow, wasm, cpu', async () => {
    const statuses = await probeBackends();
    expect(statuses.map((s) => s.name)).toEqual([...BACKEND_NAMES]);
    for (const s of statuses) expect(s.reason.length).toBeGreaterThan(0);
    const first = statuses.find((s) => s.usable)!;
    const active = await setupBackend('auto');
    expect(active.name).toBe(first.name);
    expect(tf.getBackend()).toBe(first.name.startsWith('tensorflow') ? 'tensorflow' : first.name);
    const passedOver = statuses.slice(0, statuses.indexOf(first));
    if (passedOver.length) {
      expect(active.notice).toMatch(new RegExp(`^backend: using ${first.name}; `));
      expect(active.notice).not.toContain('\n');
      for (const s of passedOver) expect(active.notice).toContain(`${s.name} not usable`);
    }
  });

  it('wasm and cpu are always usable (they are dependencies, loaded with no network)', async () => {
    const statuses = await probeBackends();
    expect(statuses.find((s) => s.name === 'wasm')!.usable).toBe(true);
    expect(statuses.find((s) => s.name === 'cpu')!.usable).toBe(true);
  });

  it('asking for a missing optional backend is a clear error', async () => {
    const statuses = await probeBackends();
    const missing = statuses.find((s) => !s.usable);
    if (!missing) return; // every backend loads on this machine: nothing is missing to ask for
    await expect(setupBackend(missing.name)).rejects.toThrow(`backend '${missing.name}' is not usable: `);
  });

  it('refuses an unknown backend name with the valid ones', async () => {
    await expect(setupBackend('metal' as never)).rejects.toThrow("unknown backend 'metal' (valid: auto, tensorflow-gpu, tensorflow, wasm, cpu)");
  });
});
