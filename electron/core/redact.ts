import { tokenCandidatePattern } from './token';

const tokens = new RegExp(tokenCandidatePattern.source, 'g');
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
 * What may go into the diagnostics log: no API key (the known ones, and whatever follows "Bearer"),
 * and no whole attestation token.
 */
export function redactForLog(text: string, secrets: Iterable<string>): string {
  return withoutSecrets(text, secrets)
    .replace(bearer, '$1[redacted]')
    .replace(tokens, (token) => `${token.slice(0, TOKEN_PREFIX_CHARS)}…[token cut]`);
}
