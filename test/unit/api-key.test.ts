import { describe, expect, it } from 'vitest';
import { checkApiKey } from '../../electron/core/api-key';

describe('an API key as it may be stored and sent', () => {
  it('takes printable characters, trimmed', () => {
    expect(checkApiKey('  sk-live_0123.abc~=  ')).toEqual({ ok: true, key: 'sk-live_0123.abc~=' });
  });

  it.each(['', '   ', 'two\nlines', 'tab\tinside', 'space inside', 'nul\u0000', 'ünïcode'])(
    'refuses %j, saying what to do',
    (key) => {
      expect(checkApiKey(key)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/empty|copy it again/),
      });
    },
  );
});
