/**
 * report.html: one self-contained page. The minified vega, vega-lite and vega-embed builds are read
 * from node_modules and inlined, the specs are embedded as JSON, so the page needs no network.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Analysis } from '../analysis/analysis';
import { ResultsFile } from '../results/schema';
import { NamedChart } from './charts';
import { fitsTableCells, slowdownMatrix } from './format';

/** [package, its minified browser build next to the package's main entry]. */
const LIBRARIES = [['vega', 'vega.min.js'], ['vega-lite', 'vega-lite.min.js'], ['vega-embed', 'vega-embed.min.js']] as const;

/** Draws every `[data-chart]` element with vega-embed; marks each data-rendered="true" or "error". */
const RENDER_SCRIPT = `
(function () {
  var specs = JSON.parse(document.getElementById('bsbr-specs').textContent);
  var options = { renderer: 'svg', actions: { export: true, source: true, compiled: false, editor: false } };
  document.querySelectorAll('[data-chart]').forEach(function (el) {
    vegaEmbed(el, specs[el.getAttribute('data-chart')], options).then(
      function () { el.setAttribute('data-rendered', 'true'); },
      function (err) { el.setAttribute('data-rendered', 'error'); el.textContent = 'chart failed: ' + err.message; console.error(err); }
    );
  });
})();
`;

const STYLE = `
body { font-family: sans-serif; margin: 1.5em auto; max-width: 1200px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
section.chart { margin: 1em 0 2em; }
.note { color: #555; }
`;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function tableHtml(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const headRow = `<tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${headRow}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** A library's minified build, safe inside a <script> element. */
function inlineLibrary(pkg: string, file: string): string {
  const code = fs.readFileSync(path.join(path.dirname(require.resolve(pkg)), file), 'utf8');
  return `<script>/* ${pkg} */\n${code.replace(/<\/script/gi, '<\\/script')}\n</script>`;
}

function environmentRows(results: ResultsFile): string[][] {
  const env = results.environment;
  const cal = results.calibration;
  const sweep = results.sweep;
  return [
    ['run id', results.run_id],
    ['created at', results.created_at],
    ['command', results.command.join(' ')],
    ['backend', `${env.backend} ${env.backend_version}`],
    ['@tensorflow/tfjs-core', env.tfjs_core_version],
    ['bsbr', env.bsbr_version],
    ['node', env.node_version],
    ['platform', `${env.platform} ${env.arch}`],
    ['CPU', `${env.cpu_model} (${env.cpu_count} logical cores)`],
    ['memory', `${(env.total_memory_bytes / 2 ** 30).toFixed(1)} GiB`],
    ['host', env.hostname],
    ['git commit', env.git_commit ?? 'none'],
    ['calibration', cal === null ? 'none' : `${cal.description}: ${cal.median_ms.toFixed(2)} ms, ${cal.gflops_per_s.toFixed(1)} GFLOP/s`],
    ['sweep', `batch ${sweep.batch_size}, warmup ${sweep.warmup}, repeats ${sweep.repeats}, time limit ${sweep.time_limit_s ?? 'none'} s, memory limit ${sweep.max_memory_mb ?? 'none'} MB`],
    ['model config', JSON.stringify(results.config)],
  ];
}

export interface ReportInput {
  results: ResultsFile;
  analysis: Analysis;
  charts: readonly NamedChart[];
  /** Where the results came from, shown at the top. */
  source: string;
}

export function reportHtml({ results, analysis, charts, source }: ReportInput): string {
  const specs = Object.fromEntries(charts.map((c) => [c.name, c.spec]));
  // Inside <script type="application/json"> only "</script" could end the element early; \u003c keeps the JSON equal.
  const specsJson = JSON.stringify(specs).replace(/</g, '\\u003c');
  const fitSections = analysis.modes.map((mode) => {
    const fits = fitsTableCells(analysis.fits.filter((f) => f.mode === mode));
    const slowdown = slowdownMatrix(analysis.slowdown, mode, analysis.models);
    return `<h3>${mode}</h3>\n${tableHtml(fits.head, fits.rows)}\n<h4>${mode}: slowdown against the fastest model at each length</h4>\n${tableHtml(slowdown.head, slowdown.rows)}`;
  });
  const notMeasured = results.cases.filter((c) => c.status !== 'ok');
  const chartSections = charts.map((c) => `<section class="chart"><h3>${escapeHtml(c.title)}</h3><div id="chart-${c.name}" data-chart="${c.name}"></div></section>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>bsbr analysis: ${escapeHtml(results.run_id)}</title>
<style>${STYLE}</style>
${LIBRARIES.map(([pkg, file]) => inlineLibrary(pkg, file)).join('\n')}
</head>
<body>
<h1>bsbr analysis</h1>
<p>Run <code>${escapeHtml(results.run_id)}</code> of ${escapeHtml(results.created_at)}, from ${escapeHtml(source)}.</p>
<h2>Scaling fits</h2>
<p class="note">Per model and mode, over the cases with status ok: the exponent e of median time ~ n^e and of peak tensor bytes ~ n^e, fitted by least squares on log-log axes, with R^2 and a 95% confidence interval (Student t, points - 2 degrees of freedom). "suggests" reads the exponent by fixed bands: below 0.5 O(1), below 1.3 O(n), below 1.7 between O(n) and O(n^2), below 2.3 O(n^2), above that beyond O(n^2). "theory" is the cost from architectures.md (decode: one step after n tokens of context).</p>
${fitSections.join('\n')}
${notMeasured.length === 0 ? '' : `<h3>Cases not measured</h3>\n${tableHtml(['model', 'mode', 'n', 'status', 'message'], notMeasured.map((c) => [c.model, c.mode, String(c.seq_len), c.status, c.message]))}`}
<h2>Charts</h2>
${chartSections.join('\n')}
<h2>Environment</h2>
${tableHtml(['', ''], environmentRows(results))}
<script type="application/json" id="bsbr-specs">${specsJson}</script>
<script>${RENDER_SCRIPT}</script>
</body>
</html>
`;
}
