/**
 * Choosing the GPU of a process (one shard per GPU): Dawn's adapter through BSBR_WEBGPU_ADAPTER, seen
 * through the built `bsbr backends` (run `npm run build` first). Here Dawn finds lavapipe, where installed.
 */
import { unusableHere } from '../../models/testing/harness';
import { itOrSkip } from '../../models/testing/skip';
import { runCli, tempDir } from '../testing/cli';

interface BackendRow {
  name: string;
  usable: boolean;
  reason: string;
}

/** The webgpu row of `bsbr backends --format json` (the table form wraps long reasons at 80 columns). */
const webgpuRow = async (env: NodeJS.ProcessEnv): Promise<BackendRow> =>
  (JSON.parse((await runCli(['backends', '--format', 'json'], tempDir(), env)).stdout) as BackendRow[]).find(
    (row) => row.name === 'webgpu',
  )!;

itOrSkip(unusableHere('webgpu'))(
  'BSBR_WEBGPU_ADAPTER picks the adapter by name; a name that matches none lists the adapters Dawn found',
  async () => {
    const plain = await webgpuRow({});
    const unmatched = await webgpuRow({ BSBR_WEBGPU_ADAPTER: 'no-such-gpu' });
    expect(unmatched.usable).toBe(false);
    expect(unmatched.reason).toMatch(
      /^BSBR_WEBGPU_ADAPTER='no-such-gpu' matches no adapter's name; Available adapters: \* backend: '\w+', name: '.+'$/,
    );
    const name = /name: '([^']+)'/.exec(unmatched.reason)![1];
    const chosen = await webgpuRow({ BSBR_WEBGPU_ADAPTER: name });
    expect(chosen.usable).toBe(true);
    // The same adapter as Dawn's own choice (this machine has one).
    expect(chosen).toEqual(plain);
  },
);
