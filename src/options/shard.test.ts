import { UsageError } from './usage_error';
import { parseShard } from './shard';

const slurm = (id: number, min = 0, step = 1, count = 4) => ({
  SLURM_ARRAY_TASK_ID: String(id),
  SLURM_ARRAY_TASK_MIN: String(min),
  SLURM_ARRAY_TASK_STEP: String(step),
  SLURM_ARRAY_TASK_COUNT: String(count),
});

describe('--shard i/n', () => {
  test('1-based index of a count', () => {
    expect(parseShard('1/4', {})).toEqual({ index: 1, count: 4 });
    expect(parseShard(' 4/4 ', {})).toEqual({ index: 4, count: 4 });
    expect(parseShard('1/1', {})).toEqual({ index: 1, count: 1 });
  });

  test.each([
    ['0/4', /--shard: '0\/4' gives shard 0 of 4; the index must be 1..4/],
    ['5/4', /gives shard 5 of 4/],
    ['1/0', /gives shard 1 of 0/],
    ['2', /--shard: '2' is not i\/n \(e.g. --shard 2\/4\) or auto/],
    ['a/b', /is not i\/n/],
    ['-1/4', /is not i\/n/],
    ['1.5/4', /is not i\/n/],
    // Bounded: a count past MAX_SHARDS (or past any number) is refused at once, not cut for minutes.
    ['1/1001', /--shard: '1\/1001' gives 1001 shards; at most 1000 are taken/],
    [
      '1/99999999999999999999',
      /--shard: '1\/99999999999999999999' gives 100000000000000000000 shards; at most 1000 are taken/,
    ],
  ])('%s is refused', (value, message) => {
    expect(() => parseShard(value, {})).toThrow(UsageError);
    expect(() => parseShard(value, {})).toThrow(message);
  });
});

describe('--shard auto', () => {
  test('a Slurm array from 0: task 0 is shard 1', () => {
    expect(parseShard('auto', slurm(0))).toEqual({ index: 1, count: 4 });
    expect(parseShard('AUTO', slurm(3))).toEqual({ index: 4, count: 4 });
  });

  test('a Slurm array from 1, and one in steps of 2', () => {
    expect(parseShard('auto', slurm(1, 1))).toEqual({ index: 1, count: 4 });
    expect(parseShard('auto', slurm(7, 1, 2))).toEqual({ index: 4, count: 4 });
  });

  test("a Slurm task off the array's steps, or past its count, is refused", () => {
    expect(() => parseShard('auto', slurm(4, 1, 2))).toThrow(
      /SLURM_ARRAY_TASK_ID 4 is not SLURM_ARRAY_TASK_MIN 1 plus a multiple of SLURM_ARRAY_TASK_STEP 2/,
    );
    expect(() => parseShard('auto', slurm(9, 1, 2))).toThrow(/gives shard 5 of 4/);
  });

  test('a Slurm variable missing or not a number is named', () => {
    const { SLURM_ARRAY_TASK_COUNT: _, ...noCount } = slurm(1);
    expect(() => parseShard('auto', noCount)).toThrow("--shard auto: SLURM_ARRAY_TASK_COUNT is '', not a whole number");
    expect(() => parseShard('auto', { ...slurm(1), SLURM_ARRAY_TASK_MIN: 'x' })).toThrow("SLURM_ARRAY_TASK_MIN is 'x'");
  });

  test('a Kubernetes indexed Job: JOB_COMPLETION_INDEX from 0, of JOB_COMPLETIONS', () => {
    expect(parseShard('auto', { JOB_COMPLETION_INDEX: '0', JOB_COMPLETIONS: '3' })).toEqual({ index: 1, count: 3 });
    expect(parseShard('auto', { JOB_COMPLETION_INDEX: '2', JOB_COMPLETIONS: '3' })).toEqual({ index: 3, count: 3 });
    expect(() => parseShard('auto', { JOB_COMPLETION_INDEX: '3', JOB_COMPLETIONS: '3' })).toThrow(/gives shard 4 of 3/);
  });

  test('JOB_COMPLETION_INDEX without JOB_COMPLETIONS says how to set it', () => {
    expect(() => parseShard('auto', { JOB_COMPLETION_INDEX: '1' })).toThrow(
      /JOB_COMPLETIONS is not \(set it in the Job's pod template env to the Job's completions\)/,
    );
  });

  test('no job engine, or two at once, is refused', () => {
    expect(() => parseShard('auto', {})).toThrow(/no job index in the environment .*give --shard i\/n/);
    expect(() => parseShard('auto', { ...slurm(1), JOB_COMPLETION_INDEX: '1', JOB_COMPLETIONS: '4' })).toThrow(
      /both SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are set/,
    );
  });
});
