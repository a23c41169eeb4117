import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { useDefaultBackend } from '../../models/testing/harness';
import { FileError } from '../io/file_error';
import { bfloat16ToNumber, float16ToNumber, readSafetensors, SafetensorsError, writeSafetensors } from './safetensors';

useDefaultBackend();

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsbr-safetensors-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => path.join(dir, name);

/**
 * An independent writer, straight from the format's definition: u64 little-endian header length,
 * the JSON header, then the data bytes. `headerLength` overrides the length for broken files.
 */
function writeByDefinition(target: string, header: object, data: Buffer, headerLength?: bigint): void {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(headerLength ?? BigInt(json.length));
  fs.writeFileSync(target, Buffer.concat([length, json, data]));
}

const f32Bytes = (values: number[]) => {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeFloatLE(v, 4 * i));
  return b;
};
const u16Bytes = (bits: number[]) => {
  const b = Buffer.alloc(2 * bits.length);
  bits.forEach((v, i) => b.writeUInt16LE(v, 2 * i));
  return b;
};

/** Reads a file and returns plain values, disposing the tensors. */
function readPlain(target: string): Record<string, { shape: number[]; dtype: string; values: number[] }> {
  const tensors = readSafetensors(target);
  const plain = Object.fromEntries(
    [...tensors].map(([name, t]) => [name, { shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) }]),
  );
  tf.dispose([...tensors.values()]);
  return plain;
}

describe('half-precision decoding', () => {
  it('decodes float16 exactly: normals, subnormals, zeros, infinities, NaN', () => {
    expect(float16ToNumber(0x3c00)).toBe(1);
    expect(float16ToNumber(0xc000)).toBe(-2);
    expect(float16ToNumber(0x3555)).toBe(0.333251953125);
    expect(float16ToNumber(0x7bff)).toBe(65504);
    expect(float16ToNumber(0x0400)).toBe(2 ** -14);
    expect(float16ToNumber(0x0001)).toBe(2 ** -24);
    expect(float16ToNumber(0x03ff)).toBe(1023 * 2 ** -24);
    expect(float16ToNumber(0x8001)).toBe(-(2 ** -24));
    expect(Object.is(float16ToNumber(0x0000), 0)).toBe(true);
    expect(Object.is(float16ToNumber(0x8000), -0)).toBe(true);
    expect(float16ToNumber(0x7c00)).toBe(Infinity);
    expect(float16ToNumber(0xfc00)).toBe(-Infinity);
    expect(float16ToNumber(0x7e00)).toBeNaN();
    expect(float16ToNumber(0xfc01)).toBeNaN();
  });

  it('decodes bfloat16 exactly as the upper half of a float32', () => {
    expect(bfloat16ToNumber(0x3f80)).toBe(1);
    expect(bfloat16ToNumber(0xc000)).toBe(-2);
    expect(bfloat16ToNumber(0x4049)).toBe(3.140625);
    expect(bfloat16ToNumber(0x0001)).toBe(2 ** -133);
    expect(Object.is(bfloat16ToNumber(0x8000), -0)).toBe(true);
    expect(bfloat16ToNumber(0x7f80)).toBe(Infinity);
    expect(bfloat16ToNumber(0xff80)).toBe(-Infinity);
    expect(bfloat16ToNumber(0x7fc0)).toBeNaN();
  });
});

describe('reading', () => {
  it('reads F32, F16 and BF16 tensors from a file written by the independent writer', () => {
    const target = file('independent.safetensors');
    const header = {
      __metadata__: { format: 'pt' },
      w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
      h: { dtype: 'F16', shape: [4], data_offsets: [24, 32] },
      b: { dtype: 'BF16', shape: [1, 2], data_offsets: [32, 36] },
    };
    const w = [0, -1.5, 3.25, 2 ** -140, Infinity, -0];
    writeByDefinition(
      target,
      header,
      Buffer.concat([f32Bytes(w), u16Bytes([0x3c00, 0xc000, 0x0001, 0x7c00]), u16Bytes([0x3f80, 0x4049])]),
    );
    expect(readPlain(target)).toEqual({
      w: { shape: [2, 3], dtype: 'float32', values: w },
      h: { shape: [4], dtype: 'float32', values: [1, -2, 2 ** -24, Infinity] },
      b: { shape: [1, 2], dtype: 'float32', values: [1, 3.140625] },
    });
  });

  it('reads a hand-built two-tensor file: offsets, not header order, place the data', () => {
    // Header: 109 bytes = 0x6d (107 of JSON, 2 padding spaces): x is F16 [2] at data bytes 2..6, y is a BF16 scalar at 0..2.
    const json =
      '{"x":{"dtype":"F16","shape":[2],"data_offsets":[2,6]},"y":{"dtype":"BF16","shape":[],"data_offsets":[0,2]}}  ';
    expect(json.length).toBe(0x6d);
    const bytes = Buffer.concat([
      Buffer.from([0x6d, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from(json, 'ascii'),
      Buffer.from([0x00, 0xc0]), // y: bf16 0xC000 = -2
      Buffer.from([0x00, 0x3c, 0x55, 0x35]), // x: f16 0x3C00 = 1, 0x3555 = 0.333251953125
    ]);
    const target = file('hand-built.safetensors');
    fs.writeFileSync(target, bytes);
    expect(readPlain(target)).toEqual({
      y: { shape: [], dtype: 'float32', values: [-2] },
      x: { shape: [2], dtype: 'float32', values: [1, 0.333251953125] },
    });
  });
});

describe('writing', () => {
  it('writes the byte layout of a two-tensor file exactly', () => {
    const a = tf.tensor1d([1, -2]);
    const b = tf.tensor2d([[0.5]]);
    const target = file('layout.safetensors');
    writeSafetensors(
      target,
      new Map<string, tf.Tensor>([
        ['a', a],
        ['b', b],
      ]),
    );
    tf.dispose([a, b]);
    // 110 bytes of JSON padded with 2 spaces to 112 = 0x70, so the data starts 8-byte aligned.
    const json =
      '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}  ';
    expect(json.length).toBe(0x70);
    const expected = Buffer.concat([
      Buffer.from([0x70, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from(json, 'ascii'),
      Buffer.from([0x00, 0x00, 0x80, 0x3f]), // 1.0
      Buffer.from([0x00, 0x00, 0x00, 0xc0]), // -2.0
      Buffer.from([0x00, 0x00, 0x00, 0x3f]), // 0.5
    ]);
    expect(fs.readFileSync(target).toString('hex')).toBe(expected.toString('hex'));
  });

  it('writes then reads back every float32 bit pattern unchanged, records included', () => {
    const values = new Float32Array([
      0,
      -0,
      1e-45,
      -3.4028234663852886e38,
      Infinity,
      -Infinity,
      NaN,
      Math.PI,
      1 / 3,
      -7.25,
      2 ** -126,
      123456.789,
    ]);
    const weights = { 'layers.0.x': tf.tensor(values, [3, 4]), empty: tf.tensor([], [0, 5]) };
    const target = file('roundtrip.safetensors');
    writeSafetensors(target, weights);
    tf.dispose(Object.values(weights));
    const read = readSafetensors(target);
    expect([...read.keys()]).toEqual(['layers.0.x', 'empty']);
    expect(read.get('empty')!.shape).toEqual([0, 5]);
    const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
    expect(bits(read.get('layers.0.x')!.dataSync())).toEqual(bits(values));
    tf.dispose([...read.values()]);
  });

  it('refuses tensors that are not float32 and unwritable places, leaving no file', () => {
    const ids = tf.tensor1d([1, 2], 'int32');
    expect(() => writeSafetensors(file('int.safetensors'), { ids })).toThrow(
      'tensor ids is int32: only float32 tensors are written',
    );
    ids.dispose();
    expect(fs.existsSync(file('int.safetensors'))).toBe(false);
    const x = tf.tensor1d([1]);
    expect(() => writeSafetensors(path.join(dir, 'no-such-dir', 'x.safetensors'), { x })).toThrow(FileError);
    expect(() => writeSafetensors(path.join(dir, 'no-such-dir', 'x.safetensors'), { x })).toThrow(
      /^cannot write .*no-such-dir/,
    );
    x.dispose();
  });

  it('refuses a disposed tensor or a value that is no tensor by name, in an InputError, leaving no file', () => {
    const x = tf.tensor1d([1]);
    x.dispose();
    expect(() => writeSafetensors(file('gone.safetensors'), { x })).toThrow(SafetensorsError);
    expect(() => writeSafetensors(file('gone.safetensors'), { x })).toThrow('tensor x is not a live tensor');
    expect(() => writeSafetensors(file('gone.safetensors'), { y: [1, 2] as never })).toThrow(
      'tensor y is not a live tensor',
    );
    expect(fs.existsSync(file('gone.safetensors'))).toBe(false);
  });
});

describe('malformed files give one clear error and no tensors', () => {
  const two = (a: number[], b: number[]) => ({
    a: { dtype: 'F32', shape: [2], data_offsets: a },
    b: { dtype: 'F32', shape: [2], data_offsets: b },
  });
  const cases: [string, (target: string) => void, RegExp][] = [
    [
      'a file shorter than the length field',
      (t) => fs.writeFileSync(t, Buffer.from([1, 2, 3])),
      /3 bytes is too short/,
    ],
    [
      'a header length beyond the file',
      (t) => writeByDefinition(t, two([0, 8], [8, 16]), Buffer.alloc(16), 5000n),
      /bad header length 5000 /,
    ],
    [
      'a header length of 2^64 - 1',
      (t) => writeByDefinition(t, {}, Buffer.alloc(0), 2n ** 64n - 1n),
      /bad header length 18446744073709551615 /,
    ],
    [
      'a header that is not JSON',
      (t) => fs.writeFileSync(t, Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('nope')])),
      /header is not valid JSON/,
    ],
    [
      'a header that is a JSON array',
      (t) => writeByDefinition(t, [1, 2], Buffer.alloc(0)),
      /header is not a JSON object/,
    ],
    [
      'an unknown dtype',
      (t) => writeByDefinition(t, { q: { dtype: 'Q4', shape: [2], data_offsets: [0, 1] } }, Buffer.alloc(1)),
      /tensor q has dtype "Q4", which is not a safetensors dtype \(F32, F16, BF16, /,
    ],
    [
      'offsets past the data',
      (t) => writeByDefinition(t, two([0, 8], [8, 16]), Buffer.alloc(12)),
      /tensor b has data_offsets \[8, 16\] out of range: the data section holds 12 bytes/,
    ],
    [
      'overlapping ranges',
      (t) => writeByDefinition(t, two([0, 8], [4, 12]), Buffer.alloc(12)),
      /tensors a \[0, 8\) and b \[4, 12\) overlap/,
    ],
    [
      'a hole between tensors',
      (t) => writeByDefinition(t, two([0, 8], [12, 20]), Buffer.alloc(20)),
      /data bytes \[8, 12\) belong to no tensor/,
    ],
    [
      'trailing bytes after the last tensor',
      (t) => writeByDefinition(t, two([0, 8], [8, 16]), Buffer.alloc(20)),
      /data bytes \[16, 20\) belong to no tensor/,
    ],
    [
      'offsets that disagree with the shape',
      (t) => writeByDefinition(t, { a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, Buffer.alloc(8)),
      /tensor a spans 8 bytes but F32 \[3\] needs 12/,
    ],
    [
      'reversed offsets',
      (t) => writeByDefinition(t, { a: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, Buffer.alloc(8)),
      /tensor a has bad data_offsets \[8,0\]/,
    ],
    [
      'a negative dimension',
      (t) => writeByDefinition(t, { a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }, Buffer.alloc(0)),
      /tensor a has a bad shape \[-1\]/,
    ],
  ];

  it.each(cases)('%s', (label, make, message) => {
    const target = file(`${label.replace(/\W+/g, '-')}.safetensors`);
    make(target);
    const before = tf.memory().numTensors;
    expect(() => readSafetensors(target)).toThrow(SafetensorsError);
    expect(() => readSafetensors(target)).toThrow(message);
    expect(() => readSafetensors(target)).toThrow(`${target}: not a valid safetensors file: `);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a missing file', () => {
    expect(() => readSafetensors(file('absent.safetensors'))).toThrow(
      /^safetensors file not found: .*absent\.safetensors$/,
    );
  });
});
