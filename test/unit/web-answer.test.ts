import { describe, expect, it } from 'vitest';
import { describeRedirect, looksLikeWebPage } from '../../electron/core/web-answer';

describe('telling a web page from an API answer', () => {
  it('goes by the content type, or by a body that starts with markup', () => {
    expect(looksLikeWebPage('text/html; charset=utf-8', '')).toBe(true);
    expect(looksLikeWebPage('application/json', '  <!DOCTYPE html><html>')).toBe(true);
    expect(looksLikeWebPage(null, '<html><body>Sign in</body></html>')).toBe(true);
    expect(looksLikeWebPage('application/json', '{"items": []}')).toBe(false);
    expect(looksLikeWebPage(null, '')).toBe(false);
  });

  it('names where a redirect leads, origin only', () => {
    expect(
      describeRedirect(307, 'api.provisioning.nrfcloud.com', 'https://portal.example/login?next=x'),
    ).toMatch(/redirected to https:\/\/portal\.example \(HTTP 307\)/);
    expect(describeRedirect(302, 'h', null)).toMatch(/redirected to elsewhere/);
  });
});
