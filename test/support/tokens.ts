import { randomBytes } from 'node:crypto';
import { encode, Tag } from 'cbor2';

export interface MadeToken {
  token: string;
  deviceId: string;
}

function uuidBytes(uuid: string): Uint8Array {
  return new Uint8Array(Buffer.from(uuid.replace(/-/g, ''), 'hex'));
}

/** A random device UUID in the form the service uses. */
export function randomDeviceId(): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Builds a token with the real structure (self-described CBOR body, COSE_Sign1 signature part).
 * The signature is random bytes: nobody can verify it offline anyway.
 */
export function makeToken(
  opts: { deviceId?: string; deviceType?: number; firmwareId?: string } = {},
): MadeToken {
  const deviceId = opts.deviceId ?? randomDeviceId();
  const firmwareId = opts.firmwareId ?? '3c5e1a0f-6a3b-4f2e-9c41-9e0f4b2d7a10';
  const body = encode(
    new Tag(55799, [
      1,
      uuidBytes(deviceId),
      opts.deviceType ?? 6,
      uuidBytes(firmwareId),
      new Uint8Array(randomBytes(16)),
    ]),
  );
  const protectedHeader = encode(new Map([[1, -7]]));
  const signature = encode(
    new Tag(18, [
      protectedHeader,
      new Map([[4, new Uint8Array([0x21])]]),
      null,
      new Uint8Array(randomBytes(64)),
    ]),
  );
  const token = `${Buffer.from(body).toString('base64url')}.${Buffer.from(signature).toString('base64url')}`;
  return { token, deviceId };
}
