/** PNG rendering draws text with the packaged font, whatever fonts the machine has. */
import { loadResvg, svgToPng } from './render';

const resvg = loadResvg();
// @resvg/resvg-js is an optional dependency: without its platform binary no PNG is written at all
// (src/cli/analyze.test.ts checks that the command says so).
const itWithResvg = resvg instanceof Error ? it.skip : it;

function svg(text: string, weight: string): string {
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="20">' +
    `<text x="2" y="15" font-family="sans-serif" font-size="12px" font-weight="${weight}">${text}</text></svg>`
  );
}

describe('svgToPng', () => {
  itWithResvg.each(['normal', 'bold'])(
    'draws %s sans-serif text (a PNG with text differs from one without)',
    (weight) => {
      const module = resvg as Exclude<typeof resvg, Error>;
      const withText = svgToPng(module, svg('Ab 1,000', weight));
      const blank = svgToPng(module, svg('', weight));
      expect(withText.equals(blank)).toBe(false);
      expect(withText.equals(svgToPng(module, svg('Ab 1,000', weight)))).toBe(true);
    },
  );

  itWithResvg('draws regular and bold text differently', () => {
    const module = resvg as Exclude<typeof resvg, Error>;
    expect(svgToPng(module, svg('Ab', 'normal')).equals(svgToPng(module, svg('Ab', 'bold')))).toBe(false);
  });
});
