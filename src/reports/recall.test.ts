import { resolveConfig } from '../../models/config';
import { checkRecallResults } from '../results/recall_read';
import { RecallCase, RecallResults } from '../results/recall_schema';
import { recallCsv } from '../results/recall_write';
import { bestRecall, formatRecall, recallCharts } from './recall';

function row(part: Partial<RecallCase>): RecallCase {
  return {
    run_id: 'r',
    model: 'Standard',
    compression_factor: null,
    hidden_dim: 64,
    seq_len: 64,
    kv_pairs: 4,
    learning_rate: 1e-3,
    backend: 'wasm',
    status: 'ok',
    accuracy: 0.5,
    final_loss: 1,
    steps: 100,
    wall_s: 2,
    state_floats: 16384,
    params: 1000,
    message: '',
    evaluations: [{ step: 100, accuracy: 0.5, loss: 1 }],
    ...part,
  };
}

function recallRun(cases: RecallCase[]): RecallResults {
  return {
    format: 'bsbr-recall',
    version: 1,
    run_id: 'r',
    created_at: '2026-01-01T00:00:00Z',
    command: ['bsbr', 'recall'],
    config: resolveConfig({ vocabSize: 8192, hiddenDim: 64, numHeads: 2, dropout: 0 }),
    sweep: {
      models: ['Standard', 'Linear', 'BSBR'],
      hidden_dims: [64, 128],
      tasks: [
        { seq_len: 64, kv_pairs: 4 },
        { seq_len: 128, kv_pairs: 8 },
      ],
      learning_rates: [1e-3, 3e-3],
      bsbr_compression: [null, 4],
      ff_factor: 2,
      train_examples: 100,
      test_examples: 10,
      batch_size: 8,
      steps: 100,
      warmup_steps: 10,
      eval_every: 50,
      target_accuracy: 0.99,
      filler: 'zeros',
      data_seed: 0,
    },
    environment: {
      backend: 'wasm',
      backend_version: '4.22.0',
      tfjs_core_version: '4.22.0',
      bsbr_version: '0.1.0',
      node_version: 'v20',
      platform: 'linux',
      arch: 'x64',
      cpu_model: 'cpu',
      cpu_count: 2,
      total_memory_bytes: 1,
      hostname: 'h',
      git_commit: null,
    },
    cases,
  };
}

const CASES = [
  row({ learning_rate: 1e-3, accuracy: 0.6, final_loss: 0.9 }),
  row({ learning_rate: 3e-3, accuracy: 0.95, final_loss: 0.2, params: 1000 }),
  row({ model: 'Linear', learning_rate: 1e-3, accuracy: 0.3, state_floats: 4224 }),
  row({
    model: 'Linear',
    learning_rate: 3e-3,
    status: 'error',
    accuracy: null,
    final_loss: null,
    steps: null,
    wall_s: null,
    message: 'boom',
    evaluations: [],
    state_floats: 4224,
  }),
  row({ model: 'BSBR', compression_factor: 4, learning_rate: 1e-3, accuracy: 0.4, state_floats: 5000 }),
  row({
    model: 'BSBR',
    compression_factor: 4,
    learning_rate: 3e-3,
    accuracy: 0.4,
    final_loss: 0.5,
    state_floats: 5000,
  }),
  row({
    hidden_dim: 128,
    seq_len: 128,
    kv_pairs: 8,
    learning_rate: 1e-3,
    status: 'error',
    accuracy: null,
    final_loss: null,
    steps: null,
    message: 'worker died',
    evaluations: [],
  }),
];

describe('bestRecall', () => {
  const best = bestRecall(recallRun(CASES));

  it('takes per (model, compression, d_model, task) the learning rate of highest accuracy, ties to the lower loss', () => {
    expect(best.map((b) => [b.label, b.hidden_dim, b.task, b.accuracy, b.learning_rate])).toEqual([
      ['Standard', 64, 'L=64, kv=4', 0.95, 3e-3],
      ['Linear', 64, 'L=64, kv=4', 0.3, 1e-3],
      ['BSBR cf4', 64, 'L=64, kv=4', 0.4, 3e-3],
      ['Standard', 128, 'L=128, kv=8', null, null],
    ]);
    expect(best[1]).toMatchObject({ tried: 2, failed: 1, state_floats: 4224 });
  });

  it('prints the table in every format, with a remark for groups where a learning rate failed', () => {
    const text = formatRecall(recallRun(CASES), 'markdown');
    expect(text).toContain('| Standard | 64 | L=64, kv=4 | 0.950 | 16,384 |');
    expect(text).toContain('Linear d=64 L=64, kv=4: 1 of 2 learning rates ended in error');
    const json = JSON.parse(formatRecall(recallRun(CASES), 'json'));
    expect(json[3]).toMatchObject({ model: 'Standard', hidden_dim: 128, accuracy: null, cases: 1, failed: 1 });
    expect(formatRecall(recallRun(CASES), 'csv').split('\n')[0]).toBe(
      'model,hidden_dim,seq_len,kv_pairs,accuracy,learning_rate,state_floats,params,steps,final_loss,cases,failed',
    );
  });

  it('draws accuracy against state size (a panel per task, log x) and against length (a panel per d_model)', () => {
    const [state, length] = recallCharts(best);
    const panels = (
      state.spec as {
        hconcat: Array<{
          title: string;
          layer: Array<{ data: { values: unknown[] }; encoding: { x: { field: string; scale: { type: string } } } }>;
        }>;
      }
    ).hconcat;
    // The failed group has no point; the other task's panel is absent.
    expect(panels.map((p) => p.title)).toEqual(['L=64, kv=4']);
    expect(panels[0].layer[0].data.values).toHaveLength(3);
    expect(panels[0].layer[0].encoding.x).toMatchObject({ field: 'state_floats', scale: { type: 'log' } });
    const byD = (
      length.spec as { hconcat: Array<{ title: string; layer: Array<{ encoding: { x: { field: string } } }> }> }
    ).hconcat;
    expect(byD.map((p) => p.title)).toEqual(['d_model 64']);
    expect(byD[0].layer[0].encoding.x.field).toBe('seq_len');
  });
});

describe('recall results file', () => {
  it('round-trips through the reader and writes one CSV row per case', () => {
    const run = recallRun(CASES);
    expect(checkRecallResults(JSON.parse(JSON.stringify(run)), 'x.json')).toEqual(run);
    const csv = recallCsv(run).trim().split('\n');
    expect(csv).toHaveLength(CASES.length + 1);
    expect(csv[0]).toBe(
      'run_id,model,compression_factor,hidden_dim,seq_len,kv_pairs,learning_rate,backend,status,accuracy,final_loss,steps,wall_s,state_floats,params,message',
    );
    expect(csv[4]).toBe('r,Linear,,64,64,4,0.003,wasm,error,,,,,4224,1000,boom');
  });

  it.each([
    [(r: RecallResults) => ({ ...r, format: 'bsbr-results' }), 'is not a bsbr recall results file'],
    [(r: RecallResults) => ({ ...r, version: 2 }), 'format version 2'],
    [(r: RecallResults) => ({ ...r, sweep: { ...r.sweep, tasks: [] } }), 'sweep.tasks must be a non-empty list'],
    [
      (r: RecallResults) => ({ ...r, cases: [{ ...r.cases[0], accuracy: 1.5 }] }),
      'cases[0].accuracy must be a number in [0, 1] or null (got 1.5)',
    ],
    [(r: RecallResults) => ({ ...r, cases: [r.cases[0], r.cases[0]] }), 'cases[1] repeats the case of cases[0]'],
    [
      (r: RecallResults) => ({ ...r, cases: [{ ...r.cases[0], state_floats: undefined }] }),
      'cases[0].state_floats is missing',
    ],
  ])('refuses a malformed file, naming the field (%#)', (edit, message) => {
    expect(() => checkRecallResults(JSON.parse(JSON.stringify(edit(recallRun(CASES)))), 'x.json')).toThrow(message);
  });
});
