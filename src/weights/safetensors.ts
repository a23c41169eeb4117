/**
 * The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
 * length N, N bytes of JSON mapping each tensor's name to { dtype, shape, data_offsets: [begin, end] }
 * (offsets relative to the data that follows; an optional "__metadata__" entry), then the raw
 * little-endian data. F32, F16 and BF16 are read (as float32 tensors); F32 is written.
 */
import * as buffer from 'buffer';
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../../models/errors';
import { jsonErrorPlace } from '../io/json_error';
import { OpenFile, openRegularFile, readAt } from '../io/read_file';
import { writeFileAtomic } from '../io/write_files';
import { WeightMap } from '../../models/weights';

/** Every dtype of the safetensors format, by its size: a header of any of them can be listed. */
const BYTES_PER_ELEMENT = {
  F32: 4,
  F16: 2,
  BF16: 2,
  F64: 8,
  I64: 8,
  U64: 8,
  I32: 4,
  U32: 4,
  I16: 2,
  U16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
} as const;
export type SafetensorsDtype = keyof typeof BYTES_PER_ELEMENT;

/** The dtypes whose values are read (as float32, exactly): the weights of a model. */
const READABLE: readonly SafetensorsDtype[] = ['F32', 'F16', 'BF16'];

/** One tensor as the header describes it; begin and end are byte offsets into the data section. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** A file (its path in `field`) that cannot be read or written as safetensors; the message names the file and the problem. */
export class SafetensorsError extends InputError {}

/** IEEE 754 half precision (1 sign, 5 exponent, 10 fraction bits) to a number, exactly. */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const scratch = new DataView(new ArrayBuffer(4));

/** bfloat16 is the upper half of a float32: widen it by appending 16 zero bits. */
export function bfloat16ToNumber(bits: number): number {
  scratch.setUint32(0, ((bits & 0xffff) << 16) >>> 0);
  return scratch.getFloat32(0);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function parseEntry(
  name: string,
  info: unknown,
  dataLength: number,
  fail: (why: string) => SafetensorsError,
): SafetensorsEntry {
  if (!isObject(info)) throw fail(`entry ${name} is not an object`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== 'string' || !Object.hasOwn(BYTES_PER_ELEMENT, dtype)) {
    throw fail(
      `tensor ${name} has dtype ${JSON.stringify(dtype)}, which is not a safetensors dtype (${Object.keys(BYTES_PER_ELEMENT).join(', ')})`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isCount))
    throw fail(`tensor ${name} has a bad shape ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    throw fail(`tensor ${name} has bad data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) {
    throw fail(
      `tensor ${name} has data_offsets [${begin}, ${end}] out of range: the data section holds ${dataLength} bytes`,
    );
  }
  const needed = shape.reduce((a: number, b: number) => a * b, 1) * BYTES_PER_ELEMENT[dtype as SafetensorsDtype];
  if (end - begin !== needed) {
    throw fail(`tensor ${name} spans ${end - begin} bytes but ${dtype} [${shape.join(', ')}] needs ${needed}`);
  }
  return { name, dtype: dtype as SafetensorsDtype, shape, begin, end };
}

/** The safetensors format's own bound on the header (as its reference implementation enforces). */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * Reads the header of an open file by its stated length (never the data) and checks the whole
 * layout against the file's size; returns the entries in data order and where the data starts.
 */
function readLayout(file: OpenFile): { entries: SafetensorsEntry[]; dataStart: number; dataLength: number } {
  const fail = (why: string) => new SafetensorsError(file.path, `${file.path}: not a valid safetensors file: ${why}`);
  if (file.size < 8) throw fail(`${file.size} bytes is too short to hold the 8-byte header length`);
  const headerLength = readAt(file, 0, 8).readBigUInt64LE(0);
  if (headerLength < 2n || headerLength > BigInt(file.size - 8)) {
    throw fail(`bad header length ${headerLength} (the file has ${file.size - 8} bytes after the length)`);
  }
  if (headerLength > BigInt(MAX_HEADER_BYTES))
    throw fail(`header length ${headerLength} is over the format's limit of ${MAX_HEADER_BYTES} bytes`);
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(readAt(file, 8, Number(headerLength)).toString('utf8'));
  } catch (err) {
    const place = jsonErrorPlace(err);
    throw fail(`the header is not valid JSON${place ? ` (${place})` : ''}`);
  }
  if (!isObject(header)) throw fail('the header is not a JSON object');
  const dataLength = file.size - dataStart;
  const entries = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, info]) => parseEntry(name, info, dataLength, fail))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);
  // As the format requires, the tensors' ranges tile the data exactly: no overlaps and no holes.
  let covered = 0;
  entries.forEach((entry, i) => {
    if (entry.begin < covered) {
      const previous = entries[i - 1];
      throw fail(
        `tensors ${previous.name} [${previous.begin}, ${previous.end}) and ${entry.name} [${entry.begin}, ${entry.end}) overlap`,
      );
    }
    if (entry.begin > covered) throw fail(`data bytes [${covered}, ${entry.begin}) belong to no tensor`);
    covered = entry.end;
  });
  if (covered !== dataLength) throw fail(`data bytes [${covered}, ${dataLength}) belong to no tensor`);
  return { entries, dataStart, dataLength };
}

function decodeValues(data: Buffer, entry: SafetensorsEntry): Float32Array {
  const view = new DataView(data.buffer, data.byteOffset + entry.begin, entry.end - entry.begin);
  const values = new Float32Array(view.byteLength / BYTES_PER_ELEMENT[entry.dtype]);
  for (let i = 0; i < values.length; i++) {
    if (entry.dtype === 'F32') values[i] = view.getFloat32(4 * i, true);
    else if (entry.dtype === 'F16') values[i] = float16ToNumber(view.getUint16(2 * i, true));
    else values[i] = bfloat16ToNumber(view.getUint16(2 * i, true));
  }
  return values;
}

/** Runs `body` on the opened regular file (a FIFO or a device is refused), closing it after. */
function withFile<T>(path: string, body: (file: OpenFile) => T): T {
  const file = openRegularFile(path, 'safetensors file');
  try {
    return body(file);
  } finally {
    fs.closeSync(file.fd);
  }
}

/** The tensors a safetensors file describes (name, dtype, shape, offsets), from its header alone. */
export function readSafetensorsHeader(path: string): SafetensorsEntry[] {
  return withFile(path, (file) => readLayout(file).entries);
}

/**
 * Reads a safetensors file into float32 tensors the caller owns, in data order. The layout is
 * checked and every tensor decoded before any tensor is made, so a bad file gives a
 * SafetensorsError and nothing else.
 */
export function readSafetensors(path: string): Map<string, tf.Tensor> {
  const { entries, decoded } = withFile(path, (file) => {
    const { entries, dataStart, dataLength } = readLayout(file);
    const unread = entries.find((entry) => !READABLE.includes(entry.dtype));
    if (unread) {
      throw new SafetensorsError(
        path,
        `${path}: tensor ${unread.name} has dtype ${JSON.stringify(unread.dtype)}, which is not read here (readable: ${READABLE.join(', ')})`,
      );
    }
    if (dataLength > buffer.constants.MAX_LENGTH) {
      throw new SafetensorsError(
        path,
        `${path}: its ${dataLength} bytes of data are more than one read can hold here (${buffer.constants.MAX_LENGTH})`,
      );
    }
    const data = readAt(file, dataStart, dataLength);
    return { entries, decoded: entries.map((entry) => decodeValues(data, entry)) };
  });
  return new Map(entries.map((entry, i) => [entry.name, tf.tensor(decoded[i], entry.shape, 'float32')]));
}

/** The bytes of a safetensors file holding the float32 tensors in map order; the header is padded to 8 bytes. */
function encodeSafetensors(weights: WeightMap): Buffer {
  const tensors = weights instanceof Map ? [...weights] : Object.entries(weights);
  const header: Record<string, { dtype: 'F32'; shape: number[]; data_offsets: [number, number] }> = {};
  let offset = 0;
  for (const [name, tensor] of tensors) {
    if (name === '__metadata__') throw new SafetensorsError(name, 'a tensor cannot be named __metadata__');
    if (!(tensor instanceof tf.Tensor) || tensor.isDisposed)
      throw new SafetensorsError(name, `tensor ${name} is not a live tensor`);
    if (tensor.dtype !== 'float32')
      throw new SafetensorsError(name, `tensor ${name} is ${tensor.dtype}: only float32 tensors are written`);
    header[name] = { dtype: 'F32', shape: tensor.shape, data_offsets: [offset, offset + 4 * tensor.size] };
    offset += 4 * tensor.size;
  }
  const json = JSON.stringify(header);
  const jsonLength = Buffer.byteLength(json);
  const headerLength = Math.ceil(jsonLength / 8) * 8;
  const bytes = Buffer.alloc(8 + headerLength + offset);
  bytes.writeBigUInt64LE(BigInt(headerLength), 0);
  bytes.write(json, 8, 'utf8');
  bytes.fill(' ', 8 + jsonLength, 8 + headerLength);
  const data = new DataView(bytes.buffer, bytes.byteOffset + 8 + headerLength, offset);
  for (const [name, tensor] of tensors) {
    const values = tensor.dataSync();
    const start = header[name].data_offsets[0];
    for (let i = 0; i < values.length; i++) data.setFloat32(start + 4 * i, values[i], true);
  }
  return bytes;
}

/** Writes float32 tensors (a Map or record) as a safetensors file, atomically: never half-written. */
export function writeSafetensors(path: string, weights: WeightMap): void {
  writeFileAtomic(path, encodeSafetensors(weights));
}
