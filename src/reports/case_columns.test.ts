import { exampleResults } from '../analysis/testing/synthetic';
import { caseLines, caseTableColumns } from './case_columns';

const heads = (results = exampleResults()) => caseTableColumns(caseLines(results, 'forward')).map((c) => c.head);

test('model and config once per model, the case\'s status where a median would be', () => {
  const lines = caseLines(exampleResults(), 'forward');
  const columns = caseTableColumns(lines);
  const cell = (head: string, i: number) => columns.find((c) => c.head === head)!.text(lines[i]);
  const bsbr = lines.findIndex((l) => l.c.model === 'BSBR');
  expect([cell('model', bsbr), cell('config', bsbr), cell('model', bsbr + 1), cell('config', bsbr + 1)]).toEqual(['BSBR', 'chunk 32, no cf', '', '']); // the library's default: no compression
  const failed = lines.findIndex((l) => l.c.status === 'error');
  expect(cell('median ms', failed)).toBe('error');
});

test('the device columns appear only where a case recorded them (webgpu)', () => {
  expect(heads()).not.toContain('device MiB');
  const results = exampleResults();
  results.cases[0] = { ...results.cases[0], peak_device_bytes: 3 * 2 ** 20, gpu_kernel_ms: 1.5 };
  expect(heads(results).slice(-3)).toEqual(['device MiB', 'GPU ms', '!']);
  const lines = caseLines(results, 'forward');
  const device = caseTableColumns(lines).find((c) => c.head === 'device MiB')!;
  expect([device.text(lines[0]), device.text(lines[1])]).toEqual(['3.0', '-']);
});
