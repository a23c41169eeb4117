import { Column, htmlTable, markdownTable, textTable, wrapLine } from './table';

interface Row {
  name: string;
  value: number;
  note: string;
}

const rows: Row[] = [
  { name: 'alpha', value: 1.5, note: 'a short note' },
  { name: 'beta|gamma', value: 22, note: 'a much longer note that will have to wrap on a narrow terminal' },
];
const columns: Column<Row>[] = [
  { head: 'name', text: (r) => r.name },
  { head: 'value', text: (r) => r.value.toFixed(1), align: 'right' },
  { head: 'extra', text: (r) => `<${r.name}>`, drop: 2 },
  { head: 'less', text: () => 'x', drop: 1 },
  { head: 'note', text: (r) => r.note, wrap: true },
];

describe('textTable', () => {
  test('aligns columns two spaces apart, numbers right, under a rule', () => {
    const { text, dropped } = textTable(columns, rows, 200);
    expect(dropped).toEqual([]);
    expect(text.split('\n')).toEqual([
      'name        value  extra         less  note',
      '----------  -----  ------------  ----  --------------------------------------------------------------',
      'alpha         1.5  <alpha>       x     a short note',
      'beta|gamma   22.0  <beta|gamma>  x     a much longer note that will have to wrap on a narrow terminal',
    ]);
  });

  test('wraps the wrap column, and drops the highest-numbered columns where wrapping is not enough', () => {
    for (const width of [80, 60, 40, 32]) {
      const { text, dropped } = textTable(columns, rows, width);
      for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
      expect(text).toContain('beta|gamma');
      // name 10 + value 5 + extra 12 + less 4 + the note at its narrowest 12, two spaces apart: 51.
      expect(dropped).toEqual(width >= 51 ? [] : width >= 37 ? ['extra'] : ['extra', 'less']);
    }
    const narrow = textTable(columns, rows, 32);
    expect(narrow.dropped).toEqual(['extra', 'less']);
    // The note wraps at spaces onto continuation lines under its own column.
    expect(narrow.text).toContain('a much longer');
    expect(narrow.text.split('\n').length).toBeGreaterThan(4);
  });

  test('keeps a column without a drop number even when nothing fits', () => {
    const { text, dropped } = textTable(columns.slice(0, 2), rows, 5);
    expect(dropped).toEqual([]);
    expect(text.split('\n')[2]).toBe('alpha         1.5');
  });
});

test('markdownTable: every column, pipes escaped, numbers right-aligned', () => {
  expect(markdownTable(columns.slice(0, 2), rows).split('\n')).toEqual([
    '| name | value |',
    '| --- | ---: |',
    '| alpha | 1.5 |',
    '| beta\\|gamma | 22.0 |',
  ]);
});

test('htmlTable: escaped cells, numeric cells marked, rows classed', () => {
  const html = htmlTable(columns.slice(0, 3), rows, (r) => (r.value > 10 ? 'warned' : ''));
  expect(html).toContain('<td>&lt;alpha&gt;</td>');
  expect(html).toContain('<td class="num">22.0</td>');
  expect(html).toContain('<tr class="warned"><td>beta|gamma</td>');
  expect(html).toContain('<tr><td>alpha</td>');
});

test('wrapLine: lines within the width, continuation lines indented under the text', () => {
  const text = wrapLine(
    '! ',
    'BSBR forward n=64: noisy: repeats spread ±21% (robust sd); slowest repeat 2.1x the fastest',
    40,
  );
  const lines = text.split('\n');
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
  expect(lines[0].startsWith('! BSBR')).toBe(true);
  expect(lines.slice(1).every((l) => l.startsWith('  ') && !l.startsWith('   '))).toBe(true);
  expect(lines.map((l) => l.slice(2)).join(' ')).toBe(
    'BSBR forward n=64: noisy: repeats spread ±21% (robust sd); slowest repeat 2.1x the fastest',
  );
});

test("a name from a file can neither render HTML in markdown (a job summary) nor move the terminal's cursor", () => {
  const crafted: Row[] = [{ name: '<img src=x onerror=alert(1)>\x1b[2J\n| forged |', value: 1, note: 'n\r' }];
  expect(markdownTable(columns.slice(0, 2), crafted).split('\n')[2]).toBe(
    '| &lt;img src=x onerror=alert(1)&gt;\\u001b[2J\\u000a\\| forged \\| | 1.0 |',
  );
  const { text } = textTable([columns[0], columns[4]], crafted, 200);
  expect(text.split('\n')).toHaveLength(3);
  expect(text).not.toMatch(/[\x1b\r]/);
  expect(text).toContain('\\u001b[2J\\u000a| forged |');
});
