// How a zod issue reads in an error message: "expected number" rather than zod's "Invalid
// input: expected number, received NaN" (the value is shown beside it), in lower case.
interface Issue {
  code: string;
  message: string;
  expected?: unknown;
}

export function issueReason(issue: Issue): string {
  const reason =
    issue.code === 'invalid_type' && typeof issue.expected === 'string'
      ? `expected ${issue.expected}`
      : issue.message;
  return `${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
}
