import { replaceTokens } from './token-search';

const bearer = /\b(Bearer\s+)\S+/gi;
/** Enough of a token to tell two apart in a log, too little to claim a device with. */
const TOKEN_PREFIX_CHARS = 12;

/** Text with every occurrence of each secret replaced, however short the secret. */
export function withoutSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  return out;
}

/**
 * Text from outside (a response body, an error) without the API key: the known ones, and
 * whatever follows "Bearer". Done before the text is cut, stored, logged or returned, so no part
 * of a key survives a cut that splits it.
 */
export function withoutKeys(text: string, secrets: Iterable<string>): string {
  return withoutSecrets(text, secrets).replace(bearer, '$1[redacted]');
}

/** What may go into the diagnostics log: no API key and no whole attestation token. */
export function redactForLog(text: string, secrets: Iterable<string>): string {
  return replaceTokens(
    withoutKeys(text, secrets),
    (token) => `${token.slice(0, TOKEN_PREFIX_CHARS)}…[token cut]`,
  );
}
