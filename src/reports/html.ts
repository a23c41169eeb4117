/**
 * report.html: one self-contained page. The minified vega, vega-lite and vega-embed builds are read
 * from node_modules and inlined, the specs are embedded as JSON, so the page needs no network.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runWarnings } from '../results/warnings';
import { ResultsFile } from '../results/schema';
import { NamedChart } from './charts';
import { WARNED } from './fit_columns';
import { calibrationLine, runLine, RunSummary, sections } from './summary';
import { escapeHtml } from './table';

/** [package, its minified browser build next to the package's main entry]. */
const LIBRARIES = [
  ['vega', 'vega.min.js'],
  ['vega-lite', 'vega-lite.min.js'],
  ['vega-embed', 'vega-embed.min.js'],
] as const;

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

export const STYLE = `
body { font-family: 'DejaVu Sans', sans-serif; font-size: 16px; margin: 1.5em auto; max-width: 1400px; padding: 0 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; display: block; max-width: 100%; overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f3f3f3; overflow-wrap: normal; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; overflow-wrap: normal; }
tr.warned td { background: #fff4e0; }
ul.remarks { margin: 0 0 1.5em; padding-left: 1.2em; color: #7a4b00; }
section.chart { margin: 1em 0 2.5em; overflow-x: auto; }
.note { color: #555; max-width: 60em; }
`;

export function keyValueTable(rows: readonly (readonly [string, string])[]): string {
  return `<table>\n${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}\n</table>`;
}

/** A library's minified build, safe inside a <script> element. */
function inlineLibrary(pkg: string, file: string): string {
  const code = fs.readFileSync(path.join(path.dirname(require.resolve(pkg)), file), 'utf8');
  return `<script>/* ${pkg} */\n${code.replace(/<\/script/gi, '<\\/script')}\n</script>`;
}

function environmentRows(results: ResultsFile): [string, string][] {
  const env = results.environment;
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
    [
      'git commit',
      env.git_commit === null ? 'none' : `${env.git_commit}${env.git_modified ? ' (with modified files)' : ''}`,
    ],
    ['code sha256', env.code_sha256 ?? 'not recorded'],
    ['calibration', calibrationLine(results).replace(/^calibration: /, '')],
    [
      'sweep',
      `batch ${sweep.batch_size}, warmup ${sweep.warmup}, repeats ${sweep.repeats}${sweep.adaptive ? ` to ${sweep.adaptive.max_repeats} (target CI ±${100 * sweep.adaptive.target_ci}%, budget ${sweep.adaptive.budget_s} s)` : ''}, time limit ${sweep.time_limit_s ?? 'none'} s, memory limit ${sweep.max_memory_mb ?? 'none'} MB`,
    ],
    // Key by key, so that the line wraps on a narrow page.
    [
      'model config',
      Object.entries(results.config)
        .map(([k, v]) => `${k} ${v ?? 'none'}`)
        .join(', '),
    ],
  ];
}

function remarksHtml(remarks: readonly string[]): string {
  return remarks.length === 0
    ? ''
    : `<ul class="remarks">\n${remarks.map((r) => `<li>${WARNED} ${escapeHtml(r)}</li>`).join('\n')}\n</ul>`;
}

export interface ReportInput extends RunSummary {
  charts: readonly NamedChart[];
}

export function reportHtml(input: ReportInput): string {
  const { results, analysis, charts } = input;
  const specs = Object.fromEntries(charts.map((c) => [c.name, c.spec]));
  // Inside <script type="application/json"> only "</script" could end the element early; \u003c keeps the JSON equal.
  const specsJson = JSON.stringify(specs).replace(/</g, '\\u003c');
  const tables = analysis.modes.flatMap((mode) =>
    sections(input, mode).map(
      (part) => `<h3>${escapeHtml(part.title)}</h3>\n${part.html()}\n${remarksHtml(part.remarks)}`,
    ),
  );
  const warnings = runWarnings(results);
  // The chart's own title is its only one (inside the figure, where a copied SVG keeps it).
  const chartSections = charts.map(
    (c) =>
      `<section class="chart" aria-label="${escapeHtml(c.title)}"><div id="chart-${c.name}" data-chart="${c.name}"></div></section>`,
  );
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
<p>${escapeHtml(runLine(input))}</p>
<p>${escapeHtml(calibrationLine(results))}</p>
${remarksHtml(warnings)}
<h2>Charts</h2>
${chartSections.join('\n')}
<h2>Tables</h2>
<p class="note">Fits per model and mode over the cases with status ok. <b>e [95% CI]</b>: the exponent of median time ~ n^e (and of peak tensor bytes) by least squares on log-log axes, with R^2 and a Student-t interval. <b>reads</b>: the class that exponent suggests (below 0.5 O(1), below 1.3 O(n), below 1.7 O(n) to O(n^2), below 2.3 O(n^2)); <b>theory</b>: the architecture's (docs/architectures.md; decode: one step after n tokens of context). <b>e in a + b n^e</b>: the exponent once a fixed cost per call a is allowed for, with its profile interval; where the two disagree, the lengths are too short for the n-dependent work to dominate. <b>spread</b>: the robust relative standard deviation of a case's repeats; <b>95% CI</b>: the distribution-free interval of the median; rows marked ${WARNED} have warnings listed under their table (docs/measurement.md says what each means).</p>
${tables.join('\n')}
<h2>Environment</h2>
${keyValueTable(environmentRows(results))}
<script type="application/json" id="bsbr-specs">${specsJson}</script>
<script>${RENDER_SCRIPT}</script>
</body>
</html>
`;
}
