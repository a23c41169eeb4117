/** `bsbr recall` through the built command (`npm run build` first). */
import * as fs from 'fs';
import * as path from 'path';
import { resolveConfig } from '../../models/config';
import { decodeStateFloats } from '../../models/state_size';
import { readRecallResults } from '../results/recall_read';
import { runCli, tempDir } from '../testing/cli';

/** Two models, two learning rates, a few steps each: seconds on any backend. */
const TINY = [
  '--models',
  'Standard,Linear',
  '--hidden-dims',
  '16',
  '--tasks',
  '16:2',
  '--vocab-size',
  '32',
  '--num-heads',
  '2',
  '--train-examples',
  '64',
  '--test-examples',
  '16',
  '--batch-size',
  '16',
  '--steps',
  '4',
  '--eval-every',
  '2',
  '--warmup-steps',
  '1',
  '--learning-rates',
  '1e-3,3e-3',
  '--backend',
  'wasm',
  '--threads',
  '1',
];

describe('bsbr recall options', () => {
  it('--help lists every option with its default', async () => {
    const { code, stdout } = await runCli(['recall', '--help'], tempDir());
    expect(code).toBe(0);
    for (const [flag, shown] of [
      ['--hidden-dims', '64 128'],
      ['--tasks', '64:4 128:8 256:16'],
      ['--vocab-size', '8192'],
      ['--num-layers', '2'],
      ['--num-heads', '2'],
      ['--train-examples', '20000'],
      ['--batch-size', '64'],
      ['--learning-rates', '0.003 0.01'],
      ['--warmup-steps', '50'],
      ['--seed', '0'],
      ['--backend', 'auto'],
      ['--jobs', '1'],
      ['--target-accuracy', '0.99'],
    ]) {
      expect(stdout).toMatch(new RegExp(`${flag} [^\\n]*(\\n {2,}[^-\\n][^\\n]*)*\\(default: ${shown}\\)`));
    }
    for (const flag of [
      '--models',
      '--steps',
      '--epochs',
      '--test-examples',
      '--threads',
      '--out',
      '--resume',
      '--shard',
      '--format',
      '--quiet',
      '--dry-run',
      '--preset',
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it.each([
    [['--tasks', '64:17'], '--tasks 64:17: MQAR needs 4 * kv pairs <= seq len (kv 17, seq len 64'],
    [
      ['--vocab-size', '64', '--tasks', '64:4'],
      '--tasks 64:4: MQAR needs a vocabulary larger than the sequence (vocab 64, seq len 64)',
    ],
    [['--models', 'Mamba'], "--models: unknown model 'Mamba'"],
    [['--hidden-dims', '30', '--num-heads', '4'], '--num-heads 4 must divide every --hidden-dims (30 does not divide)'],
    [['--steps', '10', '--epochs', '2'], '--epochs and --steps both set the length of training; give one'],
    [['--tasks', '64'], "--tasks: '64' is not SEQ_LEN:KV_PAIRS"],
    [['--preset', 'nope'], "--preset: no preset 'nope'"],
  ])('refuses %j with one line naming the problem, exit 2, nothing written', async (args, message) => {
    const cwd = tempDir();
    const { code, stderr } = await runCli(['recall', ...args, '--dry-run'], cwd);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  it('--dry-run lists the cases with their state sizes; the shards together are the whole run, each case once', async () => {
    const args = [
      'recall',
      '--dry-run',
      '--models',
      'Standard,BSBR',
      '--bsbr-compression',
      'none,4',
      '--hidden-dims',
      '64',
      '--tasks',
      '64:4,128:8',
      '--format',
      'json',
    ];
    const all = JSON.parse((await runCli(args, tempDir())).stdout);
    // Standard, BSBR and BSBR cf4, two tasks, two learning rates.
    expect(all).toHaveLength(12);
    const config = resolveConfig({ hiddenDim: 64, numHeads: 2, chunkSize: 32, ffDim: 128, vocabSize: 8192 });
    expect(all[0]).toMatchObject({
      model: 'Standard',
      seq_len: 64,
      state_floats: decodeStateFloats('Standard', config, 64),
    });
    const shards = await Promise.all(
      ['1/3', '2/3', '3/3'].map(async (s) => JSON.parse((await runCli([...args, '--shard', s], tempDir())).stdout)),
    );
    expect(shards.flat()).toEqual(all);
  });
});

describe('a recall run', () => {
  it('trains every case in worker processes (two at once), as two shards that merge into one run; resume adds nothing; analyze reads it', async () => {
    const cwd = tempDir();
    const shard = (i: number) => path.join(cwd, `shard${i}`);
    const runs = await Promise.all(
      [1, 2].map((i) => runCli(['recall', ...TINY, '--jobs', '2', '--shard', `${i}/2`, '--out', shard(i)], cwd)),
    );
    for (const run of runs) {
      expect(run.stderr).not.toContain('error');
      expect(run.code).toBe(0);
    }
    const missing = await runCli(['merge', shard(1), '--out', path.join(cwd, 'partial')], cwd);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('merge: shard 2/2 is missing');
    const out = path.join(cwd, 'merged');
    const merged = await runCli(['merge', shard(2), shard(1), '--out', out], cwd);
    expect(merged.code).toBe(0);
    const results = readRecallResults(path.join(out, 'results.json'));
    expect(results.cases.map((c) => [c.model, c.learning_rate, c.status])).toEqual([
      ['Standard', 1e-3, 'ok'],
      ['Standard', 3e-3, 'ok'],
      ['Linear', 1e-3, 'ok'],
      ['Linear', 3e-3, 'ok'],
    ]);
    for (const c of results.cases) {
      expect(c.steps).toBe(4);
      expect(c.evaluations.map((e) => e.step)).toEqual([2, 4]);
      expect(c.accuracy! >= 0 && c.accuracy! <= 1).toBe(true);
      expect(c.params).toBeGreaterThan(0);
    }
    expect(fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(5);
    for (const file of ['report.html', 'recall_vs_state.svg', 'recall_vs_length.vl.json', 'best.csv'])
      expect(fs.existsSync(path.join(shard(1), file))).toBe(true);
    expect(runs[0].stdout).toMatch(/^Standard\s+16\s+L=16, kv=2\s+\d\.\d{3}/m);

    const before = readRecallResults(path.join(shard(1), 'results.json')).cases;
    const resumed = await runCli(['recall', '--resume', shard(1), '--quiet'], cwd);
    expect(resumed.code).toBe(0);
    expect(readRecallResults(path.join(shard(1), 'results.json')).cases).toEqual(before);
    expect((await runCli(['recall', '--resume', shard(1), '--steps', '9'], cwd)).stderr).toContain(
      '--resume finishes a run with its own settings; leave out --steps',
    );

    const analysis = path.join(cwd, 'analysis');
    const analyzed = await runCli(['analyze', out, '--out', analysis, '--format', 'csv'], cwd);
    expect(analyzed.code).toBe(0);
    expect(analyzed.stdout.split('\n')[0]).toBe(
      'model,hidden_dim,seq_len,kv_pairs,accuracy,learning_rate,state_floats,params,steps,final_loss,cases,failed',
    );
    expect(analyzed.stdout.trim().split('\n')).toHaveLength(3);
    expect(fs.readFileSync(path.join(analysis, 'report.html'), 'utf8')).toContain(
      'MQAR accuracy against decode-state size',
    );
  }, 600_000);
});
