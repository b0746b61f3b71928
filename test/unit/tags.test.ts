import { describe, expect, it } from 'vitest';
import { appliedTags, normalizeTags, parseTagText, tagText } from '../../electron/shared/tags';

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

describe('tag names that could escape a request path or break a file', () => {
  it.each(['.', '..', 'rack\n=1', 'a\rb', 'tab\there', 'nul\u0000', 'next\u2028line'])(
    'refuses %j',
    (tag) => {
      expect(normalizeTags([tag])).toMatchObject({ ok: false, reason: expect.any(String) });
    },
  );

  it('still takes names with dots and equals signs inside', () => {
    expect(normalizeTags(['v1.2', '...x', 'location=Trondheim'])).toEqual({
      ok: true,
      tags: ['v1.2', '...x', 'location=Trondheim'],
    });
  });
});

describe('a tag field as typed in the window', () => {
  it('splits on commas and checks each tag by the same rule', () => {
    expect(parseTagText(' batch-7 , location=Oslo,, batch-7 ')).toEqual({
      ok: true,
      tags: ['batch-7', 'location=Oslo'],
    });
    expect(parseTagText('')).toEqual({ ok: true, tags: [] });
    const long = parseTagText(`ok, ${'y'.repeat(120)}`);
    expect(!long.ok && long.reason).toMatch(/120 characters; at most 100/);
  });

  it('reads back what tagText writes', () => {
    expect(parseTagText(tagText(['a=1', 'b']))).toEqual({ ok: true, tags: ['a=1', 'b'] });
  });
});

describe('the tags a device gets as it enters the queue', () => {
  it('are the site tags, then the session tags, then those given, each once', () => {
    expect(appliedTags(['location=Oslo'], ['batch-7'], ['spare', 'batch-7'])).toEqual({
      ok: true,
      tags: ['location=Oslo', 'batch-7', 'spare'],
    });
  });
});
