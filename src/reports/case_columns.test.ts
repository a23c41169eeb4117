import { exampleResults } from '../analysis/testing/synthetic';
import { caseLines, caseTableColumns } from './case_columns';

const heads = (results = exampleResults()) => caseTableColumns(caseLines(results, 'forward')).map((c) => c.head);

test("model and config once per model, the case's status where a median would be", () => {
  const lines = caseLines(exampleResults(), 'forward');
  const columns = caseTableColumns(lines);
  const cell = (head: string, i: number) => columns.find((c) => c.head === head)!.text(lines[i]);
  const bsbr = lines.findIndex((l) => l.c.model === 'BSBR');
  expect([cell('model', bsbr), cell('config', bsbr), cell('model', bsbr + 1), cell('config', bsbr + 1)]).toEqual([
    'BSBR',
    'chunk 32, no cf',
    '',
    '',
  ]); // the library's default: no compression
  const failed = lines.findIndex((l) => l.c.status === 'error');
  expect(cell('median ms', failed)).toBe('error');
});

test('the device columns appear only where a case recorded them (webgpu)', () => {
  expect(heads()).not.toContain('device MiB');
  const results = exampleResults();
  const median = results.cases[0].median_ms!;
  results.cases[0] = {
    ...results.cases[0],
    peak_device_bytes: 3 * 2 ** 20,
    gpu_kernel_ms: median / 4,
    dispatches: 37,
    host_ms: (3 * median) / 4,
  };
  expect(heads(results).slice(-5)).toEqual(['device MiB', 'GPU ms', 'dispatches', 'host %', '!']);
  const lines = caseLines(results, 'forward');
  const cells = (head: string) => {
    const column = caseTableColumns(lines).find((c) => c.head === head)!;
    return [column.text(lines[0]), column.text(lines[1])];
  };
  expect(cells('device MiB')).toEqual(['3.0', '-']);
  expect(cells('dispatches')).toEqual(['37', '-']);
  expect(cells('host %')).toEqual(['75%', '-']);
});
