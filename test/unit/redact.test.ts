import { describe, expect, it } from 'vitest';
import { redactForLog, withoutSecrets } from '../../electron/core/redact';
import { makeToken } from '../support/tokens';

describe('what may be written to the log', () => {
  it('has no known key, and nothing after "Bearer"', () => {
    const text = redactForLog('refused key sk-live-1234567890 (Bearer abc.def-ghi, bearer xyz)', [
      'sk-live-1234567890',
    ]);
    expect(text).toBe('refused key [redacted] (Bearer [redacted] bearer [redacted]');
  });

  it('keeps enough of a token to tell it apart, never the whole of it', () => {
    const { token } = makeToken();
    const text = redactForLog(`row 3: ${token} was refused`, []);
    expect(text).toBe(`row 3: ${token.slice(0, 12)}…[token cut] was refused`);
    expect(text).not.toContain(token.split('.')[1]!.slice(0, 20));
  });

  it('replaces every occurrence of a key, however short; an empty one replaces nothing', () => {
    expect(withoutSecrets('a key of k', ['k'])).toBe('a [redacted]ey of [redacted]');
    expect(withoutSecrets('key NEEDLE-KEY-1 and NEEDLE-KEY-1', ['NEEDLE-KEY-1'])).toBe(
      'key [redacted] and [redacted]',
    );
    expect(withoutSecrets('nothing secret', [''])).toBe('nothing secret');
  });
});
