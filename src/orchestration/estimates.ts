// Complexity and time estimate as an analysis states them; left empty rather than guessed.

export type Complexity = 'low' | 'medium' | 'high';

const LEVELS: Record<string, Complexity> = {
  low: 'low',
  simple: 'low',
  small: 'low',
  easy: 'low',
  medium: 'medium',
  moderate: 'medium',
  intermediate: 'medium',
  high: 'high',
  complex: 'high',
  large: 'high',
  hard: 'high',
};

/** The value after a label such as "Complexity:" or "**Complexity** -", on its line. */
function labelled(text: string, label: string): string | null {
  const pattern = new RegExp(`^[\\s>*_#-]*${label}[\\s*_]*(?::|-|–|—|=)\\s*(.+)$`, 'im');
  const value = pattern.exec(text)?.[1];
  return value ? value.replace(/[*_`]/g, '').trim() : null;
}

export function parseComplexity(text: string): Complexity | null {
  const value = labelled(text, '(?:overall\\s+)?complexity');
  if (!value) return null;
  const word = /[a-z]+/i.exec(value)?.[0]?.toLowerCase();
  return word ? (LEVELS[word] ?? null) : null;
}

const UNIT = /(hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|sprints?|person-days?|story points?)\b/i;

export function parseTimeEstimate(text: string): string | null {
  const value = labelled(text, '(?:time\\s+estimate|estimated\\s+(?:time|effort)|estimate|effort)');
  if (!value || !/\d/.test(value) || !UNIT.test(value)) return null;
  return value.replace(/\s*[.;]$/, '').slice(0, 80);
}
