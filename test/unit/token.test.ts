import { describe, expect, it } from 'vitest';
import { decodeAttestationToken, deviceTypeName, TokenError } from '../../electron/core/token';
import { makeToken } from '../support/tokens';

// The public example token from Nordic's nrfcloud-utils documentation and tests.
const documented =
  '2dn3hQFQUDYxVDkxRPCAIhIbZAFifQNQGv86y_GmR2SiY0wmRsHGVFDT791_BPH8YOWFiyCHND1q.0oRDoQEmoQRBIfZYQGuXwJliinHc6xDPruiyjsaXyXZbZVpUuOhHG9YS8L05VuglCcJhMN4EUhWVGpaHgNnHHno6ahi-d5tOeZmAcNY';

describe('decodeAttestationToken', () => {
  it('reads the device UUID, type and firmware of a generated token', () => {
    const { token, deviceId } = makeToken({ deviceType: 4 });
    const decoded = decodeAttestationToken(token);
    expect(decoded.deviceId).toBe(deviceId);
    expect(decoded.deviceType).toBe(4);
    expect(decoded.deviceTypeName).toBe('nRF9161 LACA');
    expect(decoded.firmwareUuid).toBe('3c5e1a0f-6a3b-4f2e-9c41-9e0f4b2d7a10');
    expect(token.startsWith('2dn3hQFQ')).toBe(true);
    expect(token.split('.')[1]?.startsWith('0oRDoQEmoQRBIfZYQ')).toBe(true);
  });

  it('decodes the documented public example', () => {
    const decoded = decodeAttestationToken(documented);
    expect(decoded.deviceId).toBe('50363154-3931-44f0-8022-121b6401627d');
    expect(documented).toHaveLength(180);
  });

  it('trims surrounding whitespace', () => {
    const { token, deviceId } = makeToken();
    expect(decodeAttestationToken(`  ${token}\r\n`).deviceId).toBe(deviceId);
  });

  it('names unknown device types', () => {
    expect(deviceTypeName(42)).toBe('unknown (42)');
  });

  const cases: Array<[string, (t: string) => string, RegExp]> = [
    ['empty', () => '', /empty/],
    ['no dot', (t) => t.replace('.', ''), /two parts/],
    ['three parts', (t) => `${t}.abc`, /two parts/],
    ['non-base64url character', (t) => `${t.slice(0, 10)}+${t.slice(11)}`, /base64url/],
    ['truncated body', (t) => t.slice(0, 60) + t.slice(t.indexOf('.')), /body/],
    ['truncated signature', (t) => t.slice(0, -20), /signature/],
    ['signature lost its first character', (t) => t.replace('.0', '.'), /signature/],
    ['body and signature swapped', (t) => t.split('.').reverse().join('.'), /self-describe/],
    [
      'bytes after the CBOR body',
      (t) => {
        const [body, sig] = t.split('.') as [string, string];
        return `${Buffer.concat([Buffer.from(body, 'base64url'), Buffer.from([0x01])]).toString('base64url')}.${sig}`;
      },
      /body/,
    ],
  ];
  for (const [name, mutate, reason] of cases) {
    it(`rejects a token with ${name}, saying why`, () => {
      const { token } = makeToken();
      expect(() => decodeAttestationToken(mutate(token))).toThrow(TokenError);
      expect(() => decodeAttestationToken(mutate(token))).toThrow(reason);
    });
  }

  it('says when a text is only the body of a token', () => {
    const { token, deviceId } = makeToken();
    const body = token.split('.')[0]!;
    expect(() => decodeAttestationToken(body)).toThrow(
      new RegExp(`only the first part of a token \\(the body, device ${deviceId}\\)`),
    );
  });

  it('says when a text is a JSON Web Token', () => {
    expect(() => decodeAttestationToken('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toThrow(
      /JSON Web Token/,
    );
  });

  it('takes a damaged token as damaged, not as something else', () => {
    const { token } = makeToken();
    let fault: unknown = null;
    try {
      decodeAttestationToken(token.slice(0, -20));
    } catch (err) {
      fault = (err as TokenError).fault;
    }
    expect(fault).toBe('damaged');
  });
});
