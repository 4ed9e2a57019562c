/** The host (and port) of an endpoint URL: what executions record, never the full URL. */
export function hostOf(baseURL: string): string {
  try {
    return new URL(baseURL).host;
  } catch {
    return baseURL;
  }
}
