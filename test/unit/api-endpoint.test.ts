import { describe, expect, it } from 'vitest';
import { checkExplicitApiUrl, resolveApiBase } from '../../electron/core/api-endpoint';

describe('where the API key may go', () => {
  it('uses the stage hosts', () => {
    expect(resolveApiBase('prod', null)).toEqual({
      ok: true,
      base: 'https://api.provisioning.nrfcloud.com/v1/',
    });
    expect(resolveApiBase('beta', null)).toEqual({
      ok: true,
      base: 'https://api.provisioning.beta.nrfcloud.com/v1/',
    });
  });
  it.each(['http://127.0.0.1:8080/v1/', 'http://localhost:9000/v1', 'http://[::1]:1234/v1/'])(
    'accepts loopback %s',
    (url) => {
      const result = checkExplicitApiUrl(url);
      expect(result.ok).toBe(true);
      expect(result.ok && result.base.endsWith('/v1/')).toBe(true);
    },
  );
  it.each([
    'http://api.provisioning.nrfcloud.com/v1/',
    'https://api.provisioning.nrfcloud.com.evil.example/v1/',
    'https://evil.example/v1/',
    'http://10.0.0.5:8080/v1/',
    'ftp://127.0.0.1/v1/',
    'https://user:pw@api.provisioning.nrfcloud.com/v1/',
    'not a url',
  ])('refuses %s', (url) => {
    expect(checkExplicitApiUrl(url).ok).toBe(false);
  });
});
