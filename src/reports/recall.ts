/**
 * The analysis of a `bsbr recall` run (docs/recall.md): per (model, hidden size, task) the best test
 * accuracy over the learning rates (as Zoology reports it), as a table and as two charts, accuracy
 * against the decode state's size (log x, a line per model, a panel per task) and accuracy against
 * the sequence length (a panel per hidden size), in report.html beside them.
 */
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };
import { AnalysisFiles } from './analysis_files';
import { writeCharts } from './chart_files';
import { toCsv } from '../results/csv';
import { RecallCase, recallModelLabel, RecallResults } from '../results/recall_schema';
import { ColorDef, NamedChart, PanelSpec, PositionDef, SCHEMA, UnitSpec } from './charts';
import { keyValueTable, STYLE } from './html';
import { formatListing, ListingRecord } from './listing';
import { Format } from './output_format';
import { Column, escapeHtml, htmlTable } from './table';

/** The best case of one (model, hidden size, task) over the learning rates. */
export interface RecallBest {
  label: string;
  hidden_dim: number;
  seq_len: number;
  kv_pairs: number;
  task: string;
  /** null when no learning rate's case ran ok. */
  accuracy: number | null;
  learning_rate: number | null;
  state_floats: number;
  params: number | null;
  steps: number | null;
  final_loss: number | null;
  /** Cases of the group (learning rates) and how many ended in error. */
  tried: number;
  failed: number;
}

function taskName(c: { seq_len: number; kv_pairs: number }): string {
  return `L=${c.seq_len}, kv=${c.kv_pairs}`;
}

/** Per group the ok case of highest accuracy (ties: the lower final loss), in the run's case order. */
export function bestRecall(results: RecallResults): RecallBest[] {
  const groups = new Map<string, RecallCase[]>();
  for (const c of results.cases) {
    const key = `${recallModelLabel(c)}|${c.hidden_dim}|${c.seq_len}|${c.kv_pairs}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].map((cases) => {
    const ok = cases.filter((c) => c.status === 'ok');
    const best = ok.reduce<RecallCase | null>((a, c) => {
      if (a === null || c.accuracy! > a.accuracy! || (c.accuracy === a.accuracy && c.final_loss! < a.final_loss!))
        return c;
      return a;
    }, null);
    const first = cases[0];
    return {
      label: recallModelLabel(first),
      hidden_dim: first.hidden_dim,
      seq_len: first.seq_len,
      kv_pairs: first.kv_pairs,
      task: taskName(first),
      accuracy: best?.accuracy ?? null,
      learning_rate: best?.learning_rate ?? null,
      state_floats: first.state_floats,
      params: best?.params ?? cases.find((c) => c.params !== null)?.params ?? null,
      steps: best?.steps ?? null,
      final_loss: best?.final_loss ?? null,
      tried: cases.length,
      failed: cases.length - ok.length,
    };
  });
}

const num = (
  text: (row: RecallBest) => string,
  drop?: number,
): Pick<Column<RecallBest>, 'text' | 'align' | 'drop'> => ({ text, align: 'right', drop });

export const RECALL_COLUMNS: readonly Column<RecallBest>[] = [
  { head: 'model', text: (r) => r.label },
  { head: 'd_model', ...num((r) => String(r.hidden_dim)) },
  { head: 'task', text: (r) => r.task },
  { head: 'accuracy', ...num((r) => (r.accuracy === null ? 'error' : r.accuracy.toFixed(3))) },
  { head: 'state floats', ...num((r) => r.state_floats.toLocaleString('en-US')) },
  { head: 'best lr', ...num((r) => (r.learning_rate === null ? '-' : String(r.learning_rate)), 3) },
  { head: 'steps', ...num((r) => (r.steps === null ? '-' : String(r.steps)), 2) },
  { head: 'loss', ...num((r) => (r.final_loss === null ? '-' : r.final_loss.toFixed(3)), 1) },
  { head: 'params', ...num((r) => (r.params === null ? '-' : r.params.toLocaleString('en-US')), 4) },
];

function record(r: RecallBest): ListingRecord {
  return {
    model: r.label,
    hidden_dim: r.hidden_dim,
    seq_len: r.seq_len,
    kv_pairs: r.kv_pairs,
    accuracy: r.accuracy,
    learning_rate: r.learning_rate,
    state_floats: r.state_floats,
    params: r.params,
    steps: r.steps,
    final_loss: r.final_loss,
    cases: r.tried,
    failed: r.failed,
  };
}

/** The remarks under the table: groups where some learning rate's case failed. */
function remarks(rows: readonly RecallBest[]): string[] {
  return rows
    .filter((r) => r.failed > 0)
    .map(
      (r) =>
        `${r.label} d=${r.hidden_dim} ${r.task}: ${r.failed} of ${r.tried} learning rates ended in error (results.json says why)`,
    );
}

/** The best-accuracy table in any --format. */
export function formatRecall(results: RecallResults, format: Format): string {
  const rows = bestRecall(results);
  return formatListing(RECALL_COLUMNS, rows, format, record, remarks(rows));
}

/** best.csv's columns: record()'s keys. */
const BEST_CSV_COLUMNS = [
  'model',
  'hidden_dim',
  'seq_len',
  'kv_pairs',
  'accuracy',
  'learning_rate',
  'state_floats',
  'params',
  'steps',
  'final_loss',
  'cases',
  'failed',
] as const;

export function recallBestCsv(rows: readonly RecallBest[]): string {
  return toCsv(
    BEST_CSV_COLUMNS,
    rows.map(record).map((r) => BEST_CSV_COLUMNS.map((k) => r[k])),
  );
}

type Point = RecallBest & { accuracy: number };

/** One panel per value of `panel`: accuracy against `x`, a line per model (ordered along x). */
function panels(
  title: string,
  points: readonly Point[],
  panel: (p: Point) => string,
  x: PositionDef & { field: string },
): TopLevelSpec {
  const names = [...new Set(points.map(panel))];
  const y: PositionDef = {
    field: 'accuracy',
    type: 'quantitative',
    title: 'test accuracy (best learning rate)',
    scale: { domain: [0, 1] },
  };
  const color: ColorDef = {
    field: 'label',
    type: 'nominal',
    title: 'model',
    scale: { domain: [...new Set(points.map((p) => p.label))] },
  };
  const panelOf = (name: string): PanelSpec => {
    const values = points
      .filter((p) => panel(p) === name)
      .map((p) => ({
        label: p.label,
        accuracy: p.accuracy,
        state_floats: p.state_floats,
        seq_len: p.seq_len,
        hidden_dim: p.hidden_dim,
        kv_pairs: p.kv_pairs,
        learning_rate: p.learning_rate ?? 0,
      }));
    const unit: UnitSpec = {
      data: { values },
      mark: { type: 'line', point: true, tooltip: true },
      encoding: { x, y, color, order: { field: x.field, type: 'quantitative' } },
    };
    return { width: 260, height: 220, title: name, layer: [unit] };
  };
  return { $schema: SCHEMA, title, hconcat: names.map(panelOf), resolve: { scale: { x: 'independent' } } };
}

/** The two charts of the report, from the best rows with an accuracy. */
export function recallCharts(rows: readonly RecallBest[]): NamedChart[] {
  const points = rows.filter((r): r is Point => r.accuracy !== null);
  const byTask = [...points].sort((a, b) => a.seq_len - b.seq_len || a.kv_pairs - b.kv_pairs);
  const byHidden = [...points].sort((a, b) => a.hidden_dim - b.hidden_dim);
  return [
    {
      name: 'recall_vs_state',
      title: 'MQAR accuracy against decode-state size (a panel per task)',
      spec: panels('Test accuracy against the floats of the decode state', byTask, (p) => p.task, {
        field: 'state_floats',
        type: 'quantitative',
        scale: { type: 'log' },
        title: 'decode-state floats per sequence (log)',
      }),
    },
    {
      name: 'recall_vs_length',
      title: 'MQAR accuracy against sequence length (a panel per d_model)',
      spec: panels(
        'Test accuracy against sequence length (kv pairs as each task sets them)',
        byHidden,
        (p) => `d_model ${p.hidden_dim}`,
        { field: 'seq_len', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'sequence length (log2)' },
      ),
    },
  ];
}

function sweepLine(results: RecallResults): string {
  const s = results.sweep;
  return (
    `vocab ${results.config.vocabSize}, ${results.config.numLayers} layers, ${results.config.numHeads} heads, ff ${s.ff_factor} x d_model, ` +
    `chunk ${results.config.chunkSize}, window ${results.config.windowSize}; ${s.train_examples} training and ${s.test_examples} test examples ` +
    `(${s.filler} filler, data seed ${s.data_seed}), batch ${s.batch_size}, at most ${s.steps} steps (warm-up ${s.warmup_steps}, ` +
    `cosine to 0), AdamW (weight decay 0.1), learning rates ${s.learning_rates.join(', ')}, test every ${s.eval_every} steps, ` +
    `stop at accuracy ${s.target_accuracy}`
  );
}

function reportHtml(
  results: RecallResults,
  rows: readonly RecallBest[],
  svgs: ReadonlyArray<[NamedChart, string]>,
  source: string,
): string {
  const env = results.environment;
  const notes = remarks(rows);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>bsbr recall: ${escapeHtml(results.run_id)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>bsbr recall: multi-query associative recall</h1>
<p>${escapeHtml(`${results.cases.length} cases of run ${results.run_id} (${source}), on ${env.backend} (${env.cpu_model})`)}</p>
<p class="note">Each model trained as a small causal LM on MQAR (Zoology's task) and scored on a held-out test set; the accuracy is the fraction of queries whose most likely next token is the right value, for the best of the learning rates. State floats: what the model's decode state holds for one sequence of that length (docs/architectures.md, "Decode state size").</p>
<h2>Best accuracy per model, d_model and task</h2>
${htmlTable(RECALL_COLUMNS, rows)}
${notes.length ? `<ul class="remarks">\n${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}\n</ul>` : ''}
<h2>Charts</h2>
${svgs.map(([chart, svg]) => `<section class="chart"><h3>${escapeHtml(chart.title)}</h3>\n${svg}\n</section>`).join('\n')}
<h2>Run</h2>
${keyValueTable([
  ['command', results.command.join(' ')],
  ['created at', results.created_at],
  ['recipe', sweepLine(results)],
  ['backend', `${env.backend} ${env.backend_version}`],
  ['CPU', `${env.cpu_model} (${env.cpu_count} logical cores)`],
  [
    'adapter',
    env.adapter ? `${env.adapter.vendor} ${env.adapter.device ?? ''} ${env.adapter.description ?? ''}`.trim() : 'none',
  ],
  ['bsbr', `${env.bsbr_version}, git commit ${env.git_commit ?? 'none'}`],
  ['node', env.node_version],
])}
</body>
</html>
`;
}

/** What `bsbr analyze` writes for a recall run. */
export interface RecallAnalysis {
  outDir: string;
  files: string[];
  notices: string[];
}

/**
 * Writes into `outDir`: best.csv, each chart as `<name>.vl.json`, `.svg` and `.png` (where
 * @resvg/resvg-js loads), report.html with the table and the charts, and their record
 * (.bsbr-analysis); all at once, atomically.
 */
export async function writeRecallAnalysis(
  results: RecallResults,
  outDir: string,
  source: string,
): Promise<RecallAnalysis> {
  const rows = bestRecall(results);
  const out = new AnalysisFiles(outDir);
  out.add('best.csv', recallBestCsv(rows));
  const svgs = await writeCharts(recallCharts(rows), out);
  out.add('report.html', reportHtml(results, rows, svgs, source));
  out.writeAll();
  return { outDir, files: out.names, notices: out.notices };
}
