import { describe, expect, it } from 'vitest';
import { checkExplicitApiUrl, resolveApiBase } from '../../electron/core/api-endpoint';
import { pickConsolePorts, recogniseBoard } from '../../electron/core/boards';
import { normalizeTags } from '../../electron/core/tags';
import { exitCodeForSync } from '../../electron/cli/exit-codes';

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

describe('board recognition', () => {
  it('recognises boards by serial-number prefix, then vendor id', () => {
    expect(recogniseBoard({ path: '/dev/ttyACM0', serialNumber: '001051234567' })).toBe('nRF9151 DK');
    expect(recogniseBoard({ path: 'COM3', vendorId: '1915', productId: '910A' })).toBe('Thingy:91 X');
    expect(recogniseBoard({ path: '/dev/ttyUSB0', vendorId: '0403' })).toBeNull();
  });
  it('offers the first port of each board as its console, recognised boards first', () => {
    const ports = pickConsolePorts([
      { path: '/dev/ttyUSB0', vendorId: '0403' },
      { path: '/dev/ttyACM1', serialNumber: '001050999999', interfaceNumber: 2 },
      { path: '/dev/ttyACM0', serialNumber: '001050999999', interfaceNumber: 0 },
    ]);
    expect(ports.map((p) => [p.path, p.console])).toEqual([
      ['/dev/ttyACM0', true],
      ['/dev/ttyACM1', false],
      ['/dev/ttyUSB0', false],
    ]);
  });
});

describe('sync exit codes', () => {
  const base = { sent: 1, succeeded: 1, failed: 0, pending: 0, devices: 1, stopped: null };
  it('maps the stop reason to the CLI contract', () => {
    expect(exitCodeForSync(base)).toBe(0);
    expect(exitCodeForSync({ ...base, failed: 1 })).toBe(1);
    expect(exitCodeForSync({ ...base, stopped: { reason: 'key-rejected', message: '' } })).toBe(3);
    expect(exitCodeForSync({ ...base, stopped: { reason: 'forbidden', message: '' } })).toBe(3);
    expect(exitCodeForSync({ ...base, stopped: { reason: 'offline', message: '' } })).toBe(4);
    expect(exitCodeForSync({ ...base, stopped: { reason: 'rate-limited', message: '' } })).toBe(1);
  });
});
