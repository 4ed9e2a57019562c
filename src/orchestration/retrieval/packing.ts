// Fits files into a token budget as numbered excerpts, each headed by its path and line
// ranges: whole files when they are small, else the definitions that matched the request.
import { displayPath } from '../file-tree.js';
import type { ScoredDefinition } from './ranking.js';
import type { TokenCounter } from './tokens.js';

export interface LineRange {
  /** 1-based, inclusive. */
  start: number;
  end: number;
}

export interface Excerpt {
  path: string;
  ranges: LineRange[];
  lines: number;
  tokens: number;
  whole: boolean;
  /** A file cut short by the budget, not chosen by definitions. */
  truncated: boolean;
  text: string;
}

/** A definition longer than this is shown by its start. */
const MAX_DEFINITION_LINES = 150;
/** Ranges this close together are shown as one. */
const MERGE_GAP = 3;

export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function render(path: string, lines: string[], ranges: LineRange[]): string {
  const whole = ranges.length === 1 && ranges[0]?.start === 1 && ranges[0].end === lines.length;
  const where = whole
    ? `whole file, ${lines.length} ${lines.length === 1 ? 'line' : 'lines'}`
    : `lines ${ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(', ')} of ${lines.length}`;
  const width = String(ranges[ranges.length - 1]?.end ?? 1).length;
  const blocks = ranges.map((range) =>
    lines
      .slice(range.start - 1, range.end)
      .map((line, i) => `${String(range.start + i).padStart(width)}|${line ? ` ${line}` : ''}`)
      .join('\n'),
  );
  return `=== ${displayPath(path)} (${where}) ===\n${blocks.join('\n…\n')}\n`;
}

function merge(ranges: LineRange[]): LineRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const merged: LineRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.end + MERGE_GAP) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

export class Packer {
  used = 0;
  /**
   * Each file's tokens line by line: its exact count as rendered, shared out by line length.
   * Choosing excerpts sums them; what is kept is counted exactly.
   */
  private readonly lineTokens = new Map<string, number[]>();

  constructor(
    private readonly count: TokenCounter,
    readonly budget: number,
  ) {}

  get remaining(): number {
    return Math.max(0, this.budget - this.used);
  }

  /** Counts text that goes in beside the excerpts (a heading, the map). */
  take(text: string): number {
    const tokens = this.count(text);
    this.used += tokens;
    return tokens;
  }

  /** The whole file if it fits in `cap`, else its start up to the cap; null if nothing fits. */
  wholeOrHead(path: string, text: string, cap: number): Excerpt | null {
    const lines = splitLines(text);
    const limit = Math.min(cap, this.remaining);
    const whole = this.excerpt(path, lines, [{ start: 1, end: lines.length }]);
    if (whole.tokens <= limit) return this.keep(whole);
    // Lines cost about the same: guess the cut from the share that fits, then shrink to fit.
    let end = Math.floor((lines.length * limit) / whole.tokens);
    while (end > 0) {
      const head = this.excerpt(path, lines, [{ start: 1, end }]);
      if (head.tokens <= limit) return this.keep({ ...head, truncated: true });
      end = Math.floor(end * 0.9);
    }
    return null;
  }

  /**
   * A ranked file: whole when it takes at most half its cap, else its matching definitions
   * best first (members rather than a long class), each with the line that opens its class.
   */
  ranked(
    path: string,
    text: string,
    definitions: ScoredDefinition[] | undefined,
    cap: number,
  ): Excerpt | null {
    const lines = splitLines(text);
    const limit = Math.min(cap, this.remaining);
    const whole = this.excerpt(path, lines, [{ start: 1, end: lines.length }]);
    if (whole.tokens <= Math.min(cap / 2, limit)) return this.keep(whole);
    const matched = (definitions ?? [])
      .filter((d) => d.score > 0)
      .filter((d) => !(d.end - d.start > MAX_DEFINITION_LINES && hasMembers(d, definitions ?? [])))
      .sort((a, b) => b.score - a.score);
    if (matched.length === 0) return this.wholeOrHead(path, text, Math.min(limit, cap / 3));
    let chosen: LineRange[] = [];
    let best: Excerpt | null = null;
    for (const definition of matched) {
      const ranges = [
        {
          start: definition.start,
          end: Math.min(definition.end, definition.start + MAX_DEFINITION_LINES - 1),
        },
      ];
      const parent = enclosing(definition, definitions ?? []);
      if (parent) ranges.push({ start: parent.start, end: parent.start });
      const next = merge([...chosen, ...ranges]);
      const candidate = this.excerpt(path, lines, next);
      if (candidate.tokens > limit) continue;
      chosen = next;
      best = candidate;
    }
    return best ? this.keep(best) : null;
  }

  private excerpt(path: string, lines: string[], ranges: LineRange[]): Excerpt {
    const text = render(path, lines, ranges);
    const whole = ranges.length === 1 && ranges[0]?.start === 1 && ranges[0].end === lines.length;
    const perLine = this.perLine(path, lines);
    let tokens = this.count(text.slice(0, text.indexOf('\n'))) + ranges.length;
    for (const range of ranges)
      for (let i = range.start; i <= range.end; i++) tokens += perLine[i - 1] ?? 0;
    const estimate = Math.ceil(tokens);
    return { path, ranges, lines: lines.length, tokens: estimate, whole, truncated: false, text };
  }

  private perLine(path: string, lines: string[]): number[] {
    const known = this.lineTokens.get(path);
    if (known) return known;
    const width = String(lines.length).length;
    const rendered = lines.map(
      (line, i) => `${String(i + 1).padStart(width)}|${line ? ` ${line}` : ''}`,
    );
    // One exact count of the whole file, shared out between its lines by their length.
    const exact = this.count(rendered.join('\n'));
    const chars = rendered.reduce((sum, line) => sum + line.length + 1, 0);
    const scaled = rendered.map((line) => ((line.length + 1) * exact) / Math.max(1, chars));
    this.lineTokens.set(path, scaled);
    return scaled;
  }

  /** Takes an excerpt at its exact count, if that still fits. */
  private keep(excerpt: Excerpt): Excerpt | null {
    const tokens = this.count(excerpt.text);
    if (tokens > this.remaining) return null;
    this.used += tokens;
    return { ...excerpt, tokens };
  }
}

function contains(outer: ScoredDefinition, inner: ScoredDefinition): boolean {
  return (
    outer !== inner &&
    outer.start <= inner.start &&
    outer.end >= inner.end &&
    outer.depth < inner.depth
  );
}

function hasMembers(definition: ScoredDefinition, all: ScoredDefinition[]): boolean {
  return all.some((other) => contains(definition, other));
}

function enclosing(
  definition: ScoredDefinition,
  all: ScoredDefinition[],
): ScoredDefinition | undefined {
  return all.filter((other) => contains(other, definition)).sort((a, b) => b.depth - a.depth)[0];
}
