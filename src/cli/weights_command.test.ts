import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { ModelConfig } from '../../models/config';
import { InputError } from '../../models/errors';
import { createModel } from '../../models/registry';
import { useDefaultBackend } from '../../models/testing/harness';
import { FileError } from '../io/file_error';
import { UsageError } from '../options/usage_error';
import { readSafetensors, SafetensorsError, writeSafetensors } from '../weights/safetensors';
import { registerWeights } from './weights_command';

useDefaultBackend();

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsbr-weights-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Runs `bsbr weights ...` as the program registers it, returning what it printed and what it threw
 * (main turns an InputError or a CommanderError into one line on stderr and exit code 2).
 */
async function run(...argv: string[]): Promise<{ out: string[]; error?: Error }> {
  const program = new Command('bsbr').exitOverride().configureOutput({ writeErr: () => undefined });
  registerWeights(program);
  const out: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { out };
  } catch (error) {
    return { out, error: error as Error };
  } finally {
    log.mockRestore();
  }
}

const SMALL = ['--vocab-size', '20', '--hidden-dim', '8', '--ff-dim', '12', '--num-layers', '1', '--num-heads', '2'];
const SMALL_CONFIG: Partial<ModelConfig> = { vocabSize: 20, hiddenDim: 8, ffDim: 12, numLayers: 1, numHeads: 2 };

describe('bsbr weights save', () => {
  it("writes exactly the seeded model's getWeights(), and inspect lists them with the parameter count", async () => {
    const file = path.join(dir, 'gau.safetensors');
    const saved = await run('weights', 'save', file, '--model', 'gau', ...SMALL, '--seed', '5');
    const model = createModel('GAU', { ...SMALL_CONFIG, seed: 5 });
    const expected = model.getWeights();
    const params = model.countParams();
    model.dispose();
    expect(saved).toEqual({ out: [`wrote ${file}: GAU, ${expected.size} tensors, ${params} parameters (seed 5)`] });

    const read = readSafetensors(file);
    expect([...read.keys()]).toEqual([...expected.keys()]);
    for (const [name, tensor] of expected) expect(read.get(name)!.dataSync()).toEqual(tensor.dataSync());

    const inspected = await run('weights', 'inspect', file);
    expect(inspected.error).toBeUndefined();
    expect(inspected.out[0]).toMatch(/^name +dtype +shape$/);
    expect(inspected.out.slice(1, -1).map((line) => line.split(/\s{2,}/))).toEqual(
      [...expected].map(([name, t]) => [name, 'F32', `[${t.shape.join(', ')}]`]),
    );
    expect(inspected.out[inspected.out.length - 1]).toBe(`${expected.size} tensors, ${params} parameters`);
    tf.dispose([...expected.values(), ...read.values()]);
  });

  it('compresses BSBR by 2 by default, as compare does, and not with --compression-factor none', async () => {
    const names = async (...extra: string[]) => {
      const file = path.join(dir, 'bsbr.safetensors');
      expect((await run('weights', 'save', file, '--model', 'BSBR', ...SMALL, ...extra)).error).toBeUndefined();
      const read = readSafetensors(file);
      tf.dispose([...read.values()]);
      return [...read.keys()];
    };
    expect(await names()).toContain('layers.0.attention.compress_proj.weight');
    expect(await names('--compression-factor', 'none')).not.toContain('layers.0.attention.compress_proj.weight');
  });

  it('bad input is an InputError naming the option or file (one line, exit 2) and nothing is written', async () => {
    const file = path.join(dir, 'never.safetensors');
    const refused = async (args: string[], type: typeof InputError, field: string, message: string | RegExp) => {
      const { error } = await run('weights', 'save', ...args);
      expect(error).toBeInstanceOf(type);
      expect((error as InputError).field).toBe(field);
      expect(error!.message).toMatch(message);
    };
    await refused(
      [file, '--model', 'Mamba'],
      UsageError,
      '--model',
      "unknown model 'Mamba' (valid: BSBR, Standard, Linear, DeltaNet, SlidingWindow, Hopfield, GAU)",
    );
    await refused(
      [file, '--model', 'Standard', '--hidden-dim', '10', '--num-heads', '4'],
      UsageError,
      '--num-heads',
      '--num-heads: invalid config: numHeads must divide hiddenDim (hiddenDim 10, numHeads 4)',
    );
    await refused(
      [file, '--model', 'Standard', '--seed', 'abc'],
      UsageError,
      '--seed',
      "--seed: 'abc' is not a number",
    );
    // Read like every numeric option: decimal only.
    await refused(
      [file, '--model', 'Standard', '--hidden-dim', '0x40'],
      UsageError,
      '--hidden-dim',
      "--hidden-dim: '0x40' is not a number",
    );
    // A size no array can hold: one line naming the option, before anything is allocated.
    await refused(
      [file, '--model', 'BSBR', '--vocab-size', '1000000000000'],
      UsageError,
      '--vocab-size',
      '--vocab-size: invalid config: vocabSize must be an integer in [1, 16777216] (got 1000000000000)',
    );
    const target = path.join(dir, 'no-dir', 'x.safetensors');
    await refused(
      [target, '--model', 'Standard', ...SMALL],
      FileError,
      target,
      /^cannot write .*no-dir.*no such file or directory \(ENOENT\)$/,
    );
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('bsbr weights inspect', () => {
  it("does not count the original package's pos_encoding.pe buffer as parameters", async () => {
    const file = path.join(dir, 'with-pe.safetensors');
    const weights = { 'pos_encoding.pe': tf.zeros([1, 10, 4]), 'embedding.weight': tf.zeros([3, 4]) };
    writeSafetensors(file, weights);
    tf.dispose(Object.values(weights));
    const { error, out } = await run('weights', 'inspect', file);
    expect(error).toBeUndefined();
    expect(out[out.length - 1]).toBe('2 tensors, 12 parameters (not counting pos_encoding.pe: a buffer, not a weight)');
  });

  it('a malformed or missing file is a usage error', async () => {
    const file = path.join(dir, 'truncated.safetensors');
    fs.writeFileSync(file, Buffer.from([200, 0, 0, 0, 0, 0, 0, 0, 0x7b]));
    expect(await run('weights', 'inspect', file)).toEqual({
      out: [],
      error: new SafetensorsError(
        file,
        `${file}: not a valid safetensors file: bad header length 200 (the file has 1 bytes after the length)`,
      ),
    });
    const missing = await run('weights', 'inspect', path.join(dir, 'absent.safetensors'));
    expect(missing.error).toBeInstanceOf(FileError);
    expect(missing.error!.message).toMatch(/^safetensors file not found: .*absent\.safetensors$/);
  });

  it('refuses what is not a regular file at once: /dev/zero, a FIFO, a folder', async () => {
    const fifo = path.join(dir, 'weights.fifo');
    execFileSync('mkfifo', [fifo]);
    for (const [file, kind] of [
      ['/dev/zero', 'a device'],
      [fifo, 'a FIFO'],
      [dir, 'a folder'],
    ]) {
      const { error } = await run('weights', 'inspect', file);
      expect(error).toBeInstanceOf(FileError);
      expect(error!.message).toBe(`cannot read safetensors file ${file}: it is ${kind}, not a regular file`);
    }
  });

  it('reads only the header: a 4 GiB file is listed without reading its data', async () => {
    const file = path.join(dir, 'huge.safetensors');
    const shape = [1024, 1024, 1024];
    const json = JSON.stringify({ big: { dtype: 'F32', shape, data_offsets: [0, 4 * 1024 ** 3] } }).padEnd(64, ' ');
    const header = Buffer.alloc(8 + json.length);
    header.writeBigUInt64LE(BigInt(json.length), 0);
    header.write(json, 8);
    fs.writeFileSync(file, header);
    // A sparse file: the 4 GiB of data take no disk space, and reading them would take memory and time.
    fs.truncateSync(file, header.length + 4 * 1024 ** 3);
    const { error, out } = await run('weights', 'inspect', file);
    expect(error).toBeUndefined();
    expect(out).toEqual([
      expect.stringMatching(/^name +dtype +shape$/),
      expect.stringMatching(/^big +F32 +\[1024, 1024, 1024\]$/),
      '1 tensors, 1073741824 parameters',
    ]);
  });

  /** A safetensors file of `entries` [name, dtype, shape, bytes each], its data zeros. */
  function safetensors(name: string, entries: Array<[string, string, number[], number]>): string {
    const header: Record<string, unknown> = {};
    let offset = 0;
    for (const [tensor, dtype, shape, bytes] of entries) {
      const size = shape.reduce((a, b) => a * b, 1) * bytes;
      header[tensor] = { dtype, shape, data_offsets: [offset, offset + size] };
      offset += size;
    }
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.concat([length, json, Buffer.alloc(offset)]));
    return file;
  }

  it('lists tensors of every safetensors dtype (I64, F64, U8, BOOL...): listing needs only the header', async () => {
    const file = safetensors('dtypes.safetensors', [
      ['ids', 'I64', [2, 3], 8],
      ['scale', 'F64', [2], 8],
      ['bytes', 'U8', [5], 1],
      ['flags', 'BOOL', [3], 1],
    ]);
    const { error, out } = await run('weights', 'inspect', file);
    expect(error).toBeUndefined();
    expect(out.slice(1, -1).map((line) => line.split(/\s{2,}/))).toEqual([
      ['ids', 'I64', '[2, 3]'],
      ['scale', 'F64', '[2]'],
      ['bytes', 'U8', '[5]'],
      ['flags', 'BOOL', '[3]'],
    ]);
    expect(out[out.length - 1]).toBe('4 tensors, 16 parameters');
    expect(() => readSafetensors(file)).toThrow(
      /tensor ids has dtype "I64", which is not read here \(readable: F32, F16, BF16\)/,
    );
  });

  it('lists a file of 300,000 tensors (no spread of them into Math.max)', async () => {
    const file = safetensors(
      'many.safetensors',
      Array.from({ length: 300_000 }, (_, i): [string, string, number[], number] => [`t${i}`, 'U8', [1], 1]),
    );
    const { error, out } = await run('weights', 'inspect', file);
    expect(error).toBeUndefined();
    expect(out[out.length - 1]).toBe('300000 tensors, 300000 parameters');
  });
});
