// The API key is never shown or stored: a server may quote it back in an error or an answer.

/** The text with every occurrence of the secret (too short a one would hide words) masked. */
export function redactSecret(text: string, secret: string | undefined): string {
  return secret && secret.length >= 8 ? text.replaceAll(secret, '***') : text;
}

/** A JSON value with the secret masked in every string it holds. */
export function redactSecretIn<T>(value: T, secret: string | undefined): T {
  const text = JSON.stringify(value);
  if (text === undefined || !secret || !text.includes(secret)) return value;
  return JSON.parse(redactSecret(text, secret)) as T;
}
