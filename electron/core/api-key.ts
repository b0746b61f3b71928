/**
 * An API key as it may be stored and sent: printable characters only. A key with a line break or
 * a control character would be echoed by the HTTP library's own error text (into entries' errors
 * and CLI output), and cannot be a real nRF Cloud key anyway.
 */
export function checkApiKey(input: string): { ok: true; key: string } | { ok: false; reason: string } {
  const key = input.trim();
  if (key === '') return { ok: false, reason: 'the key is empty' };
  if (!/^[\x21-\x7e]+$/.test(key))
    return {
      ok: false,
      reason:
        'the key holds spaces, line breaks or other characters no API key has: copy it again from nRF Cloud',
    };
  return { ok: true, key };
}
