/**
 * Choosing the GPU of a process (one shard per GPU): Dawn's adapter through BSBR_WEBGPU_ADAPTER, seen
 * through the built `bsbr backends` (run `npm run build` first). Here Dawn finds lavapipe, where installed.
 */
import { runCli, tempDir } from '../testing/cli';

const webgpuLine = async (env: NodeJS.ProcessEnv) => (await runCli(['backends'], tempDir(), env)).stdout.split('\n').find((l) => l.startsWith('webgpu'))!;

test('BSBR_WEBGPU_ADAPTER picks the adapter by name; a name that matches none lists the adapters Dawn found', async () => {
  const plain = await webgpuLine({});
  if (!/usable {4}/.test(plain) && process.env.CI !== 'true') return; // no Vulkan driver here: .ci/run installs lavapipe
  const unmatched = await webgpuLine({ BSBR_WEBGPU_ADAPTER: 'no-such-gpu' });
  expect(unmatched).toMatch(/^webgpu +not usable +BSBR_WEBGPU_ADAPTER='no-such-gpu' matches no adapter's name; Available adapters: \* backend: '\w+', name: '.+'$/);
  const name = /name: '([^']+)'/.exec(unmatched)![1];
  const chosen = await webgpuLine({ BSBR_WEBGPU_ADAPTER: name });
  expect(chosen).toMatch(/^webgpu +usable +/);
  // The same adapter as Dawn's own choice (this machine has one).
  expect(chosen).toBe(plain);
});
