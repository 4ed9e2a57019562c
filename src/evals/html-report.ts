// An eval run as one self-contained HTML file: the summary per variant, then the matrix of
// cases × variants, each cell with its answer, its assertions and their reasons. It loads
// nothing (its content security policy forbids it); a few lines of script filter the rows.
import type { CellDocument, RunDocument } from './report.js';

const OUTPUT_SHOWN = 4000;

const html = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem; color: #1f2328; }
h1 { font-size: 1.3rem; } table { border-collapse: collapse; margin: 0.8rem 0; }
th, td { border: 1px solid #d0d7de; padding: 0.35rem 0.55rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } .pass { color: #1a7f37; } .fail { color: #cf222e; }
.cell { min-width: 16rem; max-width: 34rem; } .cell.failed { background: #fff5f5; }
pre { white-space: pre-wrap; word-break: break-word; margin: 0.3rem 0; font-size: 12px; }
ul { margin: 0.2rem 0; padding-left: 1.1rem; } .muted { color: #656d76; }
.controls { margin: 0.8rem 0; display: flex; gap: 1rem; align-items: center; }
tr.hidden { display: none; }`;

const SCRIPT = `
const failing = document.getElementById('only-failing');
const search = document.getElementById('search');
function apply() {
  const text = search.value.toLowerCase();
  for (const row of document.querySelectorAll('tr.case')) {
    const hide = (failing.checked && row.dataset.failing !== 'true') ||
      (text && !row.dataset.case.toLowerCase().includes(text));
    row.classList.toggle('hidden', hide);
  }
  document.getElementById('shown').textContent =
    document.querySelectorAll('tr.case:not(.hidden)').length;
}
failing.addEventListener('change', apply);
search.addEventListener('input', apply);`;

function cellHtml(cells: CellDocument[]): string {
  if (cells.length === 0) return '<td class="cell muted">not run</td>';
  const failed = cells.some((c) => !c.pass);
  const parts = cells.map((cell) => {
    const verdict = cell.pass
      ? '<strong class="pass">pass</strong>'
      : '<strong class="fail">fail</strong>';
    const repeat = cells.length > 1 ? ` <span class="muted">#${cell.repeat + 1}</span>` : '';
    const output = cell.output ?? '';
    const shown = output.length > OUTPUT_SHOWN ? `${output.slice(0, OUTPUT_SHOWN)}…` : output;
    const assertions = (cell.assertions as { type: string; pass: boolean; reason: string }[])
      .map((a) => `<li class="${a.pass ? 'pass' : 'fail'}">${html(a.type)}: ${html(a.reason)}</li>`)
      .join('');
    return [
      `<div>${verdict} ${cell.score.toFixed(2)}${repeat}</div>`,
      cell.error ? `<div class="fail">${html(cell.error)}</div>` : '',
      shown ? `<pre class="output">${html(shown)}</pre>` : '',
      assertions ? `<ul>${assertions}</ul>` : '',
    ].join('');
  });
  return `<td class="cell${failed ? ' failed' : ''}">${parts.join('<hr>')}</td>`;
}

export function htmlReport(document: RunDocument): string {
  const { summary, variants } = document;
  const rows = new Map<string, Map<number, CellDocument[]>>();
  for (const cell of document.results) {
    const row = rows.get(cell.caseId) ?? new Map<number, CellDocument[]>();
    rows.set(cell.caseId, row);
    row.set(cell.variant, [...(row.get(cell.variant) ?? []), cell]);
  }
  const summaryRows = summary.variants
    .map(
      (v) =>
        `<tr><td>${html(v.label)}</td><td class="${v.ok ? 'pass' : 'fail'}">${(v.passRate * 100).toFixed(1)}% (${v.passed}/${v.cells})</td><td>${v.meanScore.toFixed(2)}</td><td>${v.costUsd === null ? '–' : `$${v.costUsd.toFixed(4)}`}</td><td>${v.meanLatencyMs ?? '–'} / ${v.p95LatencyMs ?? '–'} ms</td></tr>`,
    )
    .join('');
  const matrix = [...rows]
    .map(([caseId, cells]) => {
      const failing = [...cells.values()].flat().some((c) => !c.pass);
      const tds = variants.map((_, index) => cellHtml(cells.get(index) ?? [])).join('');
      return `<tr class="case" data-case="${html(caseId)}" data-failing="${failing}"><th>${html(caseId)}</th>${tds}</tr>`;
    })
    .join('\n');
  const title = `Eval ${document.name}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${html(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${html(title)}: <span class="${summary.passed ? 'pass' : 'fail'}">${summary.passed ? 'passed' : 'failed'}</span></h1>
<p class="muted">Run ${html(document.id)} · ${html(document.startedAt)} · threshold ${(summary.threshold * 100).toFixed(1)}%</p>
<table id="summary"><tr><th>Variant</th><th>Pass rate</th><th>Score</th><th>Cost</th><th>Latency (mean / p95)</th></tr>${summaryRows}</table>
<div class="controls"><label><input type="checkbox" id="only-failing"> Only cases that failed</label>
<input type="search" id="search" placeholder="Filter cases by id"> <span class="muted"><span id="shown">${rows.size}</span> of ${rows.size} cases</span></div>
<table id="matrix"><tr><th>Case</th>${variants.map((v) => `<th>${html(v.label)}</th>`).join('')}</tr>
${matrix}
</table>
<script>${SCRIPT}</script>
</body></html>
`;
}
