// cbor-x: a maintained CBOR decoder, 3.5x faster than cbor2 here (which decides a 100,000-row import);
// its no-eval build generates no code from the bytes it is given and probes for no native add-on.
import { decode } from 'cbor-x/decode-no-eval';

/** What an nRF91 identity attestation token tells us before it ever reaches the service. */
export interface AttestationToken {
  token: string;
  deviceId: string;
  deviceType: number;
  deviceTypeName: string;
  firmwareUuid: string;
}

/**
 * Why a text is not a usable token: `damaged` is a token that lost or changed characters on the
 * way (read it again); `not-a-token` is something else entirely (another AT command's answer, a
 * documentation placeholder, half a token), which reading again will not fix.
 */
export type TokenFault = 'damaged' | 'not-a-token';

export class TokenError extends Error {
  constructor(
    message: string,
    readonly fault: TokenFault = 'damaged',
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

const deviceTypeNames: Record<number, string> = {
  1: 'nRF9160 SIAA',
  2: 'nRF9160 SIBA',
  3: 'nRF9160 SICA',
  4: 'nRF9161 LACA',
  5: 'nRF9131 LACA',
  6: 'nRF9151 LACA',
};

export function deviceTypeName(type: number): string {
  return deviceTypeNames[type] ?? `unknown (${type})`;
}

/** The service officially supports nRF91x1 only; nRF9160 works for some accounts. */
export function isNrf9160(type: number): boolean {
  return type >= 1 && type <= 3;
}

const base64url = /^[A-Za-z0-9_-]+$/;
const SELF_DESCRIBE_PREFIX = [0xd9, 0xd9, 0xf7];
const COSE_SIGN1_TAG = 18;
/** How every body starts in base64url: the self-describe tag, then an array of 5 (`hQ`). */
const BODY_START = '2dn3';
/**
 * The shortest body a token can have (tag, array, message type, three 16-byte strings, device
 * type: 57 bytes) in base64url. A shorter text that does not start like a body is no token that
 * lost characters but a stand-in, such as the examples in Nordic's AT command reference.
 */
const MIN_BODY_CHARS = 76;
const ASN1_SEQUENCE = 0x30;

function formatUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function decodePart(part: string, name: string): { bytes: Uint8Array; value: unknown } {
  if (!base64url.test(part)) {
    throw new TokenError(`the ${name} is not base64url text`);
  }
  // Unpadded base64url: a length of 1 mod 4 cannot come from whole bytes, so a character was lost.
  if (part.length % 4 === 1) {
    throw new TokenError(`the ${name} has a length no encoder produces: a character is missing or extra`);
  }
  const bytes = new Uint8Array(Buffer.from(part, 'base64url'));
  try {
    return { bytes, value: decode(bytes) };
  } catch (err) {
    throw new TokenError(
      `the ${name} is not valid CBOR (${(err as Error).message}): the token may be truncated`,
    );
  }
}

function uuidField(value: unknown, what: string): string {
  if (!(value instanceof Uint8Array) || value.length !== 16) {
    throw new TokenError(`the ${what} must be 16 bytes`);
  }
  return formatUuid(value);
}

function checkSignature(value: unknown): void {
  // A tagged item decodes to { tag, value } (cbor-x's Tag); recognised by shape, not class identity.
  const tagged = value as { tag?: unknown; value?: unknown } | null;
  if (typeof tagged !== 'object' || tagged === null || tagged.tag !== COSE_SIGN1_TAG) {
    throw new TokenError('the signature part is not a COSE_Sign1 structure (CBOR tag 18)');
  }
  const contents = tagged.value;
  if (!Array.isArray(contents) || contents.length !== 4) {
    throw new TokenError('the signature part must be an array of 4 items');
  }
  const signature: unknown = contents[3];
  if (!(signature instanceof Uint8Array) || signature.length !== 64) {
    throw new TokenError('the signature must be 64 bytes: the token may be truncated');
  }
}

const notAToken = (message: string) => new TokenError(message, 'not-a-token');

/** Texts that are recognisably something other than a token, said as what they are. */
function recogniseImpostor(token: string, parts: string[]): TokenError | null {
  if (parts.length === 3 && parts[0]!.startsWith('eyJ')) {
    return notAToken(
      'this is a JSON Web Token (JWT), not an attestation token: read the token with AT%ATTESTTOKEN',
    );
  }
  if (parts.length === 1 && token.startsWith(BODY_START) && base64url.test(token)) {
    let deviceId: string;
    try {
      deviceId = decodeBody(token).deviceId;
    } catch {
      return null; // not even a whole body: say what is wrong with it the usual way
    }
    return notAToken(
      `this is only the first part of a token (the body, device ${deviceId}): the signature part after the "." is missing, ` +
        'and a claim needs the whole token: copy the entire value',
    );
  }
  if (parts.length !== 2 || !parts.every((p) => p && base64url.test(p))) return null;
  const [bodyText, signatureText] = parts as [string, string];
  // %KEYGEN answers with a DER certificate signing request or public key (an ASN.1 SEQUENCE,
  // base64url "MI..." / "MF..."), then a COSE signature: the same shape as a token, another command's answer.
  if (
    Buffer.from(bodyText.slice(0, 4), 'base64url')[0] === ASN1_SEQUENCE &&
    signatureText.startsWith('0oR')
  ) {
    return notAToken(
      'this is a key-generation answer (AT%KEYGEN: a certificate signing request or public key), not an attestation token: ' +
        'read the token with AT%ATTESTTOKEN',
    );
  }
  if (!bodyText.startsWith(BODY_START) && bodyText.length < MIN_BODY_CHARS) {
    return notAToken(
      `this is not an attestation token but a placeholder, like the examples in documentation: it is ${token.length} characters long, ` +
        `where a real token has about 180 and its body starts "${BODY_START}hQ": read the token from the device with AT%ATTESTTOKEN`,
    );
  }
  return null;
}

/** The body's five items: message type, device UUID, device type, modem firmware UUID, nonce. */
function decodeBody(bodyText: string): Omit<AttestationToken, 'token'> {
  const body = decodePart(bodyText, 'body');
  if (!SELF_DESCRIBE_PREFIX.every((byte, i) => body.bytes[i] === byte)) {
    throw new TokenError('the body does not start with the CBOR self-describe tag');
  }
  const items = body.value;
  if (!Array.isArray(items) || items.length !== 5) {
    throw new TokenError('the body must be an array of 5 items');
  }
  const [messageType, uuid, type, firmware] = items as unknown[];
  if (messageType !== 1) throw new TokenError(`unsupported message type ${String(messageType)}`);
  if (typeof type !== 'number' || !Number.isInteger(type)) {
    throw new TokenError('the device type must be an integer');
  }
  const deviceId = uuidField(uuid, 'device UUID');
  const firmwareUuid = uuidField(firmware, 'modem firmware UUID');
  uuidField(items[4], 'nonce');
  return { deviceId, deviceType: type, deviceTypeName: deviceTypeName(type), firmwareUuid };
}

/**
 * Decodes and checks a token as far as can be done offline. The signature is Nordic's and cannot
 * be verified here, so this catches truncation and copy/typing errors, not forgeries; and it says
 * so when the text is something else altogether (a %KEYGEN answer, a placeholder, half a token).
 */
export function decodeAttestationToken(input: string): AttestationToken {
  const token = input.trim();
  if (token.length === 0) throw new TokenError('the token is empty');
  const parts = token.split('.');
  try {
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      throw new TokenError('a token has two parts separated by one "."');
    }
    const [bodyText, signatureText] = parts as [string, string];
    const body = decodeBody(bodyText);
    checkSignature(decodePart(signatureText, 'signature part').value);
    return { token, ...body };
  } catch (err) {
    // Nothing recognised as another thing decodes as a token: what it is, is asked only on failure
    // (every row of an import is a token, and decoding is its hot path).
    throw (err instanceof TokenError && recogniseImpostor(token, parts)) || err;
  }
}
