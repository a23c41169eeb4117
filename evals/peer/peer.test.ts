/**
 * The PyTorch peer (evals/peer/) computes the same function as the models here: seeded weights
 * written as safetensors in state-dict names, loaded by the peer, give the same hidden states on the
 * same ids, and the same next-token loss through the tied head (relative error under 1e-4), for every
 * architecture and its optional knobs; and the peer's own decode steps reproduce its forward. Runs
 * where /usr/bin/python3 has torch and numpy.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ModelConfig } from '../../models/config';
import { relativeError } from '../../models/ops/reference/arrays';
import { createModel, MODEL_NAMES } from '../../models/registry';
import { randomIds, readAndDispose, TINY, useBackend } from '../../models/testing/harness';
import { itOrSkip } from '../../models/testing/skip';
import { writeSafetensors } from '../../src/weights/safetensors';
import * as tf from '@tensorflow/tfjs-core';

const PYTHON = '/usr/bin/python3';
const PEER = __dirname;
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
const withTorch = itOrSkip(hasTorch ? null : `${PYTHON} cannot import torch and numpy`);

/** Every architecture at TINY, and the knobs that change their math. */
const CASES: Array<{ model: string; config: Partial<ModelConfig> }> = [
  ...MODEL_NAMES.map((model) => ({ model, config: {} })),
  { model: 'BSBR', config: { compressionFactor: 2 } },
  { model: 'DeltaNet', config: { learnedBeta: true, beta: 0.5 } },
  { model: 'Hopfield', config: { updateSteps: 3, temperature: 0.5 } },
  { model: 'GAU', config: { expansionFactor: 3 } },
];
const LENGTH = 19; // not a multiple of the chunk (4) or the window (3)

function runPeer(script: string, args: string[]): string {
  const result = spawnSync(PYTHON, [path.join(PEER, script), ...args], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (result.status !== 0) throw new Error(`${script} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

describe('the PyTorch peer', () => {
  useBackend('cpu');
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsbr-peer-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  withTorch(
    'computes the same hidden states and next-token loss as the models here from the same weights, for all seven',
    async () => {
      const ids = randomIds(2, LENGTH, TINY.vocabSize!, 3);
      const expected: number[][][][] = [];
      const losses: number[] = [];
      const cases = [];
      for (const [i, { model: name, config: knobs }] of CASES.entries()) {
        const model = createModel(name, { ...TINY, ...knobs });
        try {
          const weights = model.getWeights();
          const file = path.join(dir, `${i}.safetensors`);
          try {
            writeSafetensors(file, weights);
          } finally {
            tf.dispose([...weights.values()]);
          }
          expected.push(await readAndDispose(model.forward(ids)));
          losses.push(await readAndDispose<number>(model.loss(ids)));
          cases.push({ model: name, config: model.config, weights: file, ids });
        } finally {
          model.dispose();
        }
      }
      fs.writeFileSync(path.join(dir, 'cases.json'), JSON.stringify(cases));
      const rows = runPeer('agree.py', [path.join(dir, 'cases.json')])
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { model: string; hidden: number[][][]; loss: number });
      expect(rows.map((r) => r.model)).toEqual(CASES.map((c) => c.model));
      const errors = rows.map((row, i) => ({
        ...CASES[i],
        hidden: relativeError(row.hidden, expected[i]),
        loss: Math.abs(row.loss - losses[i]) / Math.abs(losses[i]),
      }));
      for (const e of errors) expect({ ...e, ok: e.hidden < 1e-4 && e.loss < 1e-4 }).toEqual({ ...e, ok: true });
    },
    120_000,
  );

  withTorch(
    'decodes token by token to its own forward, prefills inside and at the end of a chunk',
    () => {
      const rows = runPeer('decode_check.py', [])
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { model: string; ok: boolean; relative_error: number });
      expect(new Set(rows.map((r) => r.model))).toEqual(new Set(MODEL_NAMES));
      expect(rows.filter((r) => !r.ok)).toEqual([]);
    },
    120_000,
  );
});
