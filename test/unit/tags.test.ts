import { describe, expect, it } from 'vitest';
import { normalizeTags } from '../../electron/core/tags';

describe('tag rules', () => {
  it('trims, drops empties and duplicates, keeps =', () => {
    expect(normalizeTags([' location=Trondheim ', '', 'a', 'a'])).toEqual({
      ok: true,
      tags: ['location=Trondheim', 'a'],
    });
  });
  it('refuses a tag over 100 characters, saying how long it is', () => {
    const result = normalizeTags(['x'.repeat(101)]);
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.reason).toMatch(/101 characters/);
    expect(normalizeTags(['x'.repeat(100)]).ok).toBe(true);
  });
  it('refuses a comma inside one tag (it separates tags in the bulk format)', () => {
    expect(normalizeTags(['a,b']).ok).toBe(false);
  });
});
