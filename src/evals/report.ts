// An eval run as a document (the `.json` a baseline or `eval compare` reads back), and the
// other files `eval run -o` writes: JSON lines, CSV, Markdown, JUnit XML and HTML.
import { ValidationError } from '../core/errors.js';
import type { EvalResultRecord, EvalRunRecord } from '../db/repositories/eval-repository.js';
import { type EvalSummary, failureReason, type VariantConfig } from './summary.js';

export interface CellDocument {
  caseId: string;
  variant: number;
  repeat: number;
  pass: boolean;
  score: number;
  output: string | null;
  error: string | null;
  reason: string | null;
  assertions: unknown[];
  executionId: string | null;
  latencyMs: number | null;
  costUsd: number | null;
}

export interface RunDocument {
  id: string;
  name: string;
  status: string;
  startedAt: string;
  summary: EvalSummary;
  variants: VariantConfig[];
  results: CellDocument[];
}

export const OUTPUT_EXTENSIONS = ['.json', '.jsonl', '.csv', '.md', '.xml', '.html'] as const;

export function runDocument(
  run: EvalRunRecord,
  summary: EvalSummary,
  results: EvalResultRecord[],
): RunDocument {
  const variants = (run.config as { variants: VariantConfig[] }).variants;
  return {
    id: run.id,
    name: run.name,
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    summary,
    variants,
    results: results.map((r) => ({
      caseId: r.caseId,
      variant: r.variant,
      repeat: r.repeat,
      pass: r.pass,
      score: r.score,
      output: r.output,
      error: r.error,
      reason: r.pass ? null : failureReason(r),
      assertions: r.assertions,
      executionId: r.executionId,
      latencyMs: r.latencyMs,
      costUsd: r.costUsd,
    })),
  };
}

/** A run document read back from a `.json` file `eval run -o` wrote. */
export function parseRunDocument(text: string, file: string): RunDocument {
  let value: Partial<RunDocument>;
  try {
    value = JSON.parse(text) as Partial<RunDocument>;
  } catch (error) {
    throw new ValidationError(`${file} is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value?.variants) || !Array.isArray(value?.results) || !value.name) {
    throw new ValidationError(`${file} is not an eval run written by eval run -o <file>.json`);
  }
  return value as RunDocument;
}

/** The file's content for its extension. */
export async function formatRun(document: RunDocument, extension: string): Promise<string> {
  switch (extension) {
    case '.json':
      return `${JSON.stringify(document, null, 2)}\n`;
    case '.jsonl':
      return document.results
        .map((cell) => `${JSON.stringify({ ...cell, variant: labelOf(document, cell) })}\n`)
        .join('');
    case '.csv': {
      const { stringify } = await import('csv-stringify/sync');
      return stringify(
        document.results.map((cell) => {
          const variant = document.variants[cell.variant];
          return [
            cell.caseId,
            labelOf(document, cell),
            variant?.prompt ?? '',
            variant?.model ?? '',
            cell.repeat + 1,
            cell.pass,
            cell.score,
            cell.output ?? '',
            cell.reason ?? '',
            cell.latencyMs ?? '',
            cell.costUsd ?? '',
            cell.executionId ?? '',
          ];
        }),
        {
          header: true,
          cast: { boolean: (value) => String(value) },
          columns: [
            'case',
            'variant',
            'prompt',
            'model',
            'repeat',
            'pass',
            'score',
            'output',
            'reason',
            'latencyMs',
            'costUsd',
            'executionId',
          ],
        },
      );
    }
    case '.md':
      return markdown(document);
    case '.xml':
      return junit(document);
    case '.html':
      return (await import('./html-report.js')).htmlReport(document);
    default:
      throw unknownExtension(extension);
  }
}

export function unknownExtension(extension: string): ValidationError {
  return new ValidationError(`Cannot write eval results as ${extension || '(no extension)'}`, {
    hint: `use ${OUTPUT_EXTENSIONS.join(', ')}`,
  });
}

function labelOf(document: RunDocument, cell: { variant: number }): string {
  return document.variants[cell.variant]?.label ?? String(cell.variant);
}

const cellText = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

function markdown(document: RunDocument): string {
  const { summary } = document;
  const lines = [
    `## Eval ${document.name}: ${summary.passed ? 'passed' : 'failed'}`,
    '',
    `Threshold ${(summary.threshold * 100).toFixed(1)}% · run \`${document.id.slice(0, 8)}\``,
    '',
    '| Variant | Pass rate | Score | Cost | Latency (mean / p95) |',
    '|---|---|---|---|---|',
    ...summary.variants.map(
      (v) =>
        `| ${cellText(v.label)} | ${v.ok ? '✅' : '❌'} ${(v.passRate * 100).toFixed(1)}% (${v.passed}/${v.cells}) | ${v.meanScore.toFixed(2)} | ${v.costUsd === null ? '–' : `$${v.costUsd.toFixed(4)}`} | ${v.meanLatencyMs ?? '–'} / ${v.p95LatencyMs ?? '–'} ms |`,
    ),
  ];
  if (summary.failures.length > 0) {
    lines.push('', '| Failing case | Variant | Why |', '|---|---|---|');
    for (const failure of summary.failures) {
      lines.push(
        `| ${cellText(failure.caseId)} | ${cellText(failure.variant)} | ${cellText(failure.reason)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const xml = (text: string) =>
  text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

/** JUnit XML: a test suite per variant, a test case per cell, so CI systems list failures. */
function junit(document: RunDocument): string {
  const suites = document.variants.map((variant, index) => {
    const cells = document.results.filter((cell) => cell.variant === index);
    const failures = cells.filter((cell) => !cell.pass).length;
    const cases = cells.map((cell) => {
      const name = cell.repeat > 0 ? `${cell.caseId} #${cell.repeat + 1}` : cell.caseId;
      const time = ((cell.latencyMs ?? 0) / 1000).toFixed(3);
      const open = `    <testcase classname="${xml(variant.label)}" name="${xml(name)}" time="${time}"`;
      if (cell.pass) return `${open}/>`;
      const reason = cell.reason ?? 'failed';
      return `${open}>\n      <failure message="${xml(reason)}">${xml(cell.output ?? reason)}</failure>\n    </testcase>`;
    });
    return [
      `  <testsuite name="${xml(variant.label)}" tests="${cells.length}" failures="${failures}">`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xml(document.name)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
