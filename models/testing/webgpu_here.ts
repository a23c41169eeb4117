/** Whether webgpu can run on this machine, asked of a child process by the test harness (see unusableHere). */
import { findAdapter } from '../backends/webgpu';

/** Why webgpu cannot run here (no webgpu package, no Vulkan adapter), or null where Dawn finds an adapter. */
export async function whyWebGpuUnusable(): Promise<string | null> {
  try {
    await findAdapter();
    return null;
  } catch (err) {
    return String((err as Error).message).split('\n')[0];
  }
}
