import { describe, expect, it } from 'vitest';
import { findTokenCandidate, replaceTokens, tokenSpans } from '../../electron/core/token-search';
import { makeToken } from '../support/tokens';

const part = (n: number, c = 'A') => c.repeat(n);

describe('finding token-shaped text', () => {
  it('finds a token inside a log line, and at the end of a long run of base64-like text', () => {
    const { token } = makeToken();
    expect(findTokenCandidate(`[00:00:02.100,000] <inf> sm: Attestation token: ${token}`)).toBe(token);
    expect(findTokenCandidate(`${'Zm9v'.repeat(4096)} ${token}`)).toBe(token);
  });

  it('needs 40 or more characters on both sides of exactly one dot', () => {
    expect(findTokenCandidate(`${part(39)}.${part(40)}`)).toBeNull();
    expect(findTokenCandidate(`${part(40)}.${part(39)}`)).toBeNull();
    expect(findTokenCandidate(`${part(40)}.${part(40)}`)).toBe(`${part(40)}.${part(40)}`);
    expect(findTokenCandidate(part(16 * 1024))).toBeNull();
  });

  it('takes dotted runs pairwise, left to right, without overlaps', () => {
    const [a, b, c, d] = [part(40, 'a'), part(41, 'b'), part(42, 'c'), part(43, 'd')];
    const text = `x ${a}.${b}.${c}.${d} y`;
    expect(tokenSpans(text).map((s) => text.slice(s.start, s.end))).toEqual([`${a}.${b}`, `${c}.${d}`]);
    expect(tokenSpans(`${part(3)}.${a}.${b}`).map((s) => s.start)).toEqual([4]);
  });

  it('replaces every token and keeps the text around them', () => {
    const [one, two] = [makeToken().token, makeToken().token];
    expect(replaceTokens(`<${one}> and <${two}>`, () => 'T')).toBe('<T> and <T>');
  });
});
