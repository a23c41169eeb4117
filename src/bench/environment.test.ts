import { ActiveBackend } from '../../models/backends/setup';
import { AdapterInfo } from '../../models/backends/webgpu';
import { captureEnvironment } from './environment';

const adapter: AdapterInfo = {
  vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: 'NVIDIA H200', software: false,
  maxStorageBufferBindingSize: 2 ** 31, timestampQuery: true,
};

describe('the run environment says which device a run got', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('webgpu: the adapter, and the variables that chose it', () => {
    process.env.BSBR_WEBGPU_ADAPTER = 'H200';
    delete process.env.CUDA_VISIBLE_DEVICES;
    const backend: ActiveBackend = { name: 'webgpu', packageName: '@tensorflow/tfjs-backend-webgpu', version: '4.22.0', threads: null, adapter };
    const env = captureEnvironment(backend);
    expect(env.backend).toBe('webgpu');
    expect(env.adapter).toEqual(adapter);
    expect(env.device_selection).toEqual({ BSBR_WEBGPU_ADAPTER: 'H200' });
  });

  test('tensorflow-gpu: no adapter; CUDA_VISIBLE_DEVICES as set', () => {
    delete process.env.BSBR_WEBGPU_ADAPTER;
    process.env.CUDA_VISIBLE_DEVICES = '3';
    const env = captureEnvironment({ name: 'tensorflow-gpu', packageName: '@tensorflow/tfjs-node-gpu', version: '4.22.0', threads: null });
    expect(env.adapter).toBeNull();
    expect(env.threads).toBeNull();
    expect(env.device_selection).toEqual({ CUDA_VISIBLE_DEVICES: '3' });
  });
});
