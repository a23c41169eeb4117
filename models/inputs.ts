/**
 * The checks on what forward() and step() are given. Arrays are checked value by value on the host
 * before anything is uploaded. Tensors are checked for rank, shape and dtype only: reading their
 * values back would be a synchronous device readback, which the webgpu backend cannot do in Node
 * (and which would stall any GPU). README ("Inputs") says how to check tensor values yourself.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from './errors';

export type TokenIds = tf.Tensor2D | number[][];
export type MaskInput = tf.Tensor2D | number[][];

/** Rows of equal length (at least one row of at least one value) or an InputError naming `field`. */
function checkRows(rows: unknown, field: string): { batch: number; length: number } {
  if (!Array.isArray(rows) || rows.length === 0 || !rows.every(Array.isArray)) {
    throw new InputError(
      field,
      `${field} must be [batch, length] with batch >= 1 and length >= 1 (got ${Array.isArray(rows) ? `${rows.length} rows` : typeof rows})`,
    );
  }
  const length = (rows[0] as unknown[]).length;
  const ragged = rows.findIndex((row: unknown[]) => row.length !== length);
  if (length === 0 || ragged >= 0) {
    throw new InputError(
      field,
      `${field} must be [batch, length] with length >= 1 and rows of one length (row 0 has ${length}${ragged >= 0 ? `, row ${ragged} has ${(rows[ragged] as unknown[]).length}` : ''})`,
    );
  }
  return { batch: rows.length, length };
}

/** The ids as an int32 tensor [b, n] (the caller's own tensor when it already is one). */
export function checkTokenIds(ids: TokenIds, vocabSize: number): tf.Tensor2D {
  if (ids instanceof tf.Tensor) {
    if (ids.isDisposed) throw new InputError('inputIds', 'inputIds is a disposed tensor');
    if (ids.rank !== 2 || ids.shape[0] === 0 || ids.shape[1] === 0) {
      throw new InputError(
        'inputIds',
        `inputIds must be [batch, length] with batch >= 1 and length >= 1 (got [${ids.shape}])`,
      );
    }
    if (ids.dtype !== 'int32') {
      throw new InputError(
        'inputIds',
        `an inputIds tensor must be int32 (got ${ids.dtype}): pass integer arrays, or cast knowing how fractions round`,
      );
    }
    return ids;
  }
  const { batch, length } = checkRows(ids, 'inputIds');
  const values = new Int32Array(batch * length);
  ids.forEach((row, b) =>
    row.forEach((id, t) => {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
        throw new InputError('inputIds', `inputIds must be integers in [0, ${vocabSize}) (got ${id} at [${b}, ${t}])`);
      }
      values[b * length + t] = id;
    }),
  );
  return tf.tensor2d(values, [batch, length], 'int32');
}

/**
 * The mask as float32 1/0 [b, n], a new tensor the caller disposes. Array values must be 0 or 1; a
 * tensor's nonzero entries count as real tokens.
 */
export function checkMask(mask: MaskInput, batch: number, length: number): tf.Tensor2D {
  if (mask instanceof tf.Tensor) {
    if (mask.isDisposed) throw new InputError('attentionMask', 'attentionMask is a disposed tensor');
    if (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== length) {
      throw new InputError(
        'attentionMask',
        `attentionMask must have the shape of inputIds [${batch}, ${length}] (got [${mask.shape}])`,
      );
    }
    return tf.tidy(() => tf.cast(tf.notEqual(mask, 0), 'float32') as tf.Tensor2D);
  }
  const rows = checkRows(mask, 'attentionMask');
  if (rows.batch !== batch || rows.length !== length) {
    throw new InputError(
      'attentionMask',
      `attentionMask must have the shape of inputIds [${batch}, ${length}] (got [${rows.batch}, ${rows.length}])`,
    );
  }
  const values = new Float32Array(batch * length);
  mask.forEach((row, b) =>
    row.forEach((m, t) => {
      if (m !== 0 && m !== 1)
        throw new InputError(
          'attentionMask',
          `attentionMask values must be 0 (padding) or 1 (real) (got ${m} at [${b}, ${t}])`,
        );
      values[b * length + t] = m;
    }),
  );
  return tf.tensor2d(values, [batch, length]);
}
