import { ActiveBackend } from '../../models/backends/setup';
import { AdapterInfo } from '../../models/backends/webgpu';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { codeHash, captureEnvironment } from './environment';

const adapter: AdapterInfo = {
  vendor: 'nvidia',
  architecture: 'hopper',
  device: 'NVIDIA H200',
  description: 'NVIDIA H200',
  software: false,
  maxStorageBufferBindingSize: 2 ** 31,
  timestampQuery: true,
};

describe('the run environment says which device a run got', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('webgpu: the adapter, and the variables that chose it', () => {
    process.env.BSBR_WEBGPU_ADAPTER = 'H200';
    delete process.env.CUDA_VISIBLE_DEVICES;
    const backend: ActiveBackend = {
      name: 'webgpu',
      packageName: '@tensorflow/tfjs-backend-webgpu',
      version: '4.22.0',
      threads: null,
      adapter,
    };
    const env = captureEnvironment(backend);
    expect(env.backend).toBe('webgpu');
    expect(env.adapter).toEqual(adapter);
    expect(env.device_selection).toEqual({ BSBR_WEBGPU_ADAPTER: 'H200' });
  });

  test('tensorflow-gpu: no adapter; CUDA_VISIBLE_DEVICES as set', () => {
    delete process.env.BSBR_WEBGPU_ADAPTER;
    process.env.CUDA_VISIBLE_DEVICES = '3';
    const env = captureEnvironment({
      name: 'tensorflow-gpu',
      packageName: '@tensorflow/tfjs-node-gpu',
      version: '4.22.0',
      threads: null,
    });
    expect(env.adapter).toBeNull();
    expect(env.threads).toBeNull();
    expect(env.device_selection).toEqual({ CUDA_VISIBLE_DEVICES: '3' });
  });
});

describe('the run environment says which code ran', () => {
  test('codeHash: SHA-256 over the built .js of dist/src and dist/models; any byte changes it, other files do not', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bsbr-hash-'));
    try {
      expect(codeHash(root)).toBeNull();
      fs.mkdirSync(path.join(root, 'dist', 'src', 'cli'), { recursive: true });
      fs.mkdirSync(path.join(root, 'dist', 'models'), { recursive: true });
      fs.writeFileSync(path.join(root, 'dist', 'src', 'cli', 'main.js'), 'a');
      fs.writeFileSync(path.join(root, 'dist', 'models', 'model.js'), 'b');
      const first = codeHash(root);
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      fs.writeFileSync(path.join(root, 'dist', 'src', 'cli', 'main.js.map'), 'ignored');
      fs.writeFileSync(path.join(root, 'dist', 'README.txt'), 'ignored');
      expect(codeHash(root)).toBe(first);
      fs.writeFileSync(path.join(root, 'dist', 'models', 'model.js'), 'c');
      expect(codeHash(root)).not.toBe(first);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('a run of this checkout records its commit, whether files were modified, and the code hash', () => {
    const env = captureEnvironment({
      name: 'cpu',
      packageName: '@tensorflow/tfjs-backend-cpu',
      version: '4.22.0',
      threads: 1,
    });
    if (env.git_commit === null) expect(env.git_modified).toBeNull();
    else expect(typeof env.git_modified).toBe('boolean');
    expect(env.code_sha256 === null || /^[0-9a-f]{64}$/.test(env.code_sha256!)).toBe(true);
  });
});
