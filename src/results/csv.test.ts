import { syntheticCase, syntheticResults } from '../analysis/testing/synthetic';
import { casesToCsv } from './write';
import { slowdownCsv } from '../reports/fits_files';
import { toCsv } from './csv';

test('text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers', () => {
  const csv = toCsv(['a', 'b', 'c', 'd', 'e', 'f'], [['=1+1', '+cmd', '-2+3', '@SUM(A1)', -0.5, null]]);
  expect(csv).toBe("a,b,c,d,e,f\n'=1+1,'+cmd,'-2+3,'@SUM(A1),-0.5,\n");
});

test('results.csv and slowdown.csv escape a hostile model name or message', () => {
  const c = { ...syntheticCase({ model: '=HYPERLINK("http://x")', seq_len: 8 }), message: '@evil' };
  const row = casesToCsv(syntheticResults([c])).split('\n')[1];
  expect(row).toContain(`'=HYPERLINK(""http://x"")`);
  expect(row).toContain(",'@evil,");
  const slowdown = slowdownCsv([
    { mode: 'forward', seq_len: 8, model: '+x', median_ms: 1, slowdown: 1, fastest_model: '-y' },
  ]);
  expect(slowdown.split('\n')[1]).toBe("forward,8,'+x,1,1,'-y");
});

test('fractional numbers keep 6 significant digits, integers stay whole', () => {
  const csv = toCsv(['a', 'b', 'c', 'd'], [[327.00493299999994, 15.600000000000001, 2905604096, 0.000123456789]]);
  expect(csv).toBe('a,b,c,d\n327.005,15.6,2905604096,0.000123457\n');
});
