import { mergeShards } from '../merge/merge_runs';
import { cutIntoShards } from '../merge/testing/shards';
import { run, sweep } from '../regress/testing/runs';
import { parseResults, ResultsFileError } from './read';

const whole = run(sweep());
const shard = cutIntoShards(whole, 2)[0].results;
const merged = mergeShards(cutIntoShards(whole, 2), { allowPartial: false, runId: 'merged', command: [], now: new Date(0) }).results;
const parse = (data: unknown) => parseResults(JSON.stringify(data), 'r.json');

describe('the shard fields of a results file', () => {
  test('a shard run and a merged run read back as written', () => {
    expect(parse(shard)).toEqual(shard);
    expect(parse(merged)).toEqual(merged);
  });

  test.each([
    [{ index: 0, count: 2 }], [{ index: 3, count: 2 }], [{ index: 1 }], [{ index: 1.5, count: 2 }], ['1/2'],
  ])('a shard of %j is refused', (bad) => {
    expect(() => parse({ ...shard, shard: bad })).toThrow(new ResultsFileError('r.json: shard must be { "index": i, "count": n } with 1 <= i <= n'));
  });

  test('a merged run\'s shards must each have a shard, a run id, an environment and a calibration', () => {
    const withShard = (i: number, change: object) => ({ ...merged, shards: merged.shards!.map((s, j) => (j === i ? { ...s, ...change } : s)) });
    expect(() => parse({ ...merged, shards: {} })).toThrow('r.json: "shards" must be an array');
    expect(() => parse(withShard(1, { shard: null }))).toThrow('r.json: shards[1].shard must be');
    expect(() => parse(withShard(0, { run_id: 7 }))).toThrow('r.json: shards[0].run_id must be a string');
    expect(() => parse(withShard(0, { environment: {} }))).toThrow('r.json: shards[0].environment must be an object with a backend');
    expect(() => parse(withShard(0, { calibration: { median_ms: -1 } }))).toThrow(/r.json: shards\[0\]: calibration\.\w+ must be a positive number/);
  });

  test('every case of a merged run names one of its shards', () => {
    const stray = { ...merged, cases: merged.cases.map((c, i) => (i === 2 ? { ...c, run_id: 'elsewhere' } : c)) };
    expect(() => parse(stray)).toThrow('r.json: cases[2].run_id "elsewhere" names none of the merged shards');
  });
});
