// The words of code and of feature requests, as the search index sees them: identifiers are
// split at camelCase and snake_case boundaries (and kept whole too), lower-cased, stemmed (so
// that "refunds" finds `issueRefund`), and common English and keyword noise is left out.
import { stemmer } from 'stemmer';

const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could do does for from had has have how i if in into ' +
    'is it its let me my no not of on or our so some such than that the their them then there ' +
    'these they this those to too us was we were what when where which while who why will with ' +
    'would you your new add adds added use uses using make makes also should must each every ' +
    'all any via per like just only same other more most very way ' +
    'const var def fn func return import export from true false null none nil self this ' +
    'public private protected static void string int'
  ).split(' '),
);

const MAX_REPEATS = 3;
const WORD = /[\p{L}\p{N}_$]+/gu;
const PART = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\p{L}+|[0-9]+/gu;

/** Stems of words seen (code repeats its words; the stemmer is the costly part). */
const stems = new Map<string, string>();

function stem(word: string): string {
  let found = stems.get(word);
  if (found === undefined) {
    if (stems.size > 200_000) stems.clear();
    found = stemmer(word);
    stems.set(word, found);
  }
  return found;
}

function keep(term: string): boolean {
  return term.length > 1 && !/^\d+$/.test(term) && !STOP_WORDS.has(term);
}

/** The search terms of a text: each identifier whole and in its parts. */
export function codeTerms(text: string): string[] {
  const terms: string[] = [];
  // Past a few uses a term says little more (the ranking saturates): repeats are dropped.
  const uses = new Map<string, number>();
  const push = (term: string) => {
    const seen = uses.get(term) ?? 0;
    if (seen >= MAX_REPEATS) return;
    uses.set(term, seen + 1);
    terms.push(term);
  };
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    const whole = word.replace(/^[_$]+|[_$]+$/g, '').toLowerCase();
    const parts = word.match(PART) ?? [];
    if (parts.length > 1 && keep(whole)) push(stem(whole));
    for (const part of parts) {
      const lower = part.toLowerCase();
      if (keep(lower)) push(stem(lower));
    }
  }
  return terms;
}

/** A path's terms: its folders and the file's name without the extension. */
export function pathTerms(path: string): string {
  return path.replace(/\.[^./]+$/, '').replace(/[/.-]+/g, ' ');
}

const TEST_PATH =
  /(^|\/)(tests?|__tests__|spec)\/|[._-](test|spec)\.[^/]+$|(^|\/)test_[^/]+\.py$|_test\.go$|Tests?\.(java|kt|cs)$/;

/** Tests, by the conventions of the common languages (folders and file names). */
export function isTestPath(path: string): boolean {
  return TEST_PATH.test(path);
}
