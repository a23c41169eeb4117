import { printable, printableText } from './printable';

test('escape sequences, carriage returns, C1 controls and bidi overrides are shown, not obeyed', () => {
  expect(printable('a\x1b]0;title\x07b\x1b[2Jc\rd\x9be\u202ef\x7f')).toBe(
    'a\\u001b]0;title\\u0007b\\u001b[2Jc\\u000dd\\u009be\\u202ef\\u007f',
  );
  expect(printable('one\ntwo\tthree')).toBe('one\\u000atwo\\u0009three');
  expect(printable('BSBR é 中 ✓')).toBe('BSBR é 中 ✓');
});

test('a whole output keeps its own lines and tabs', () => {
  expect(printableText('row 1\x1b[1A\nrow\t2\r')).toBe('row 1\\u001b[1A\nrow\t2\\u000d');
});

test('JSON output stays valid JSON: C1 and DEL become JSON escapes of the same characters', () => {
  const json = JSON.stringify({ name: 'a\x9bb\x7f' });
  expect(JSON.parse(printableText(json))).toEqual({ name: 'a\x9bb\x7f' });
});
