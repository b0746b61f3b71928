import type { KeyStatus } from '../../shared/types';

/** Where a secret can be kept. One file swaps the OS keychain for something else. */
export interface SecretBackend {
  readonly name: 'keychain';
  get(): Promise<string | null>;
  set(value: string): Promise<void>;
  delete(): Promise<void>;
}

const SERVICE = 'Fieldclaim';
const ACCOUNT = 'nrf-cloud-provisioning-api-key';

/** A locked keyring with a prompt must not hang the app. */
export const KEYCHAIN_TIMEOUT_MS = 5_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the keychain did not answer within ${ms} ms (is it locked?)`)),
      ms,
    );
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** The OS keychain through keytar (Secret Service on Linux, Keychain on macOS, Credential Vault on Windows). */
export function keytarBackend(): SecretBackend {
  // Loaded on first use: a missing libsecret must fall back to memory, not crash start-up.
  const load = () => import('keytar').then((m) => m.default);
  return {
    name: 'keychain',
    get: () => load().then((k) => k.getPassword(SERVICE, ACCOUNT)),
    set: (value) => load().then((k) => k.setPassword(SERVICE, ACCOUNT, value)),
    delete: () => load().then((k) => k.deletePassword(SERVICE, ACCOUNT).then(() => undefined)),
  };
}

const memoryNotice =
  'No OS keychain is available, so the key is kept in memory until Fieldclaim closes and must be entered again next time.';

/**
 * Holds the API key. An environment override (headless stations, CI) wins; otherwise the OS
 * keychain; if the keychain refuses, memory for this run only. Never disk, never a log.
 */
export class KeyStore {
  private memoryKey: string | null = null;
  private keychainFailure: string | null = null;

  private readonly backend: SecretBackend;

  constructor(
    backend: SecretBackend,
    private readonly envKey: string | null = null,
    timeoutMs = KEYCHAIN_TIMEOUT_MS,
  ) {
    this.backend = {
      name: backend.name,
      get: () => withTimeout(backend.get(), timeoutMs),
      set: (value) => withTimeout(backend.set(value), timeoutMs),
      delete: () => withTimeout(backend.delete(), timeoutMs),
    };
  }

  private describeFailure(err: unknown): string {
    return `${memoryNotice} (${(err as Error).message})`;
  }

  async get(): Promise<string | null> {
    if (this.envKey) return this.envKey;
    if (this.memoryKey) return this.memoryKey;
    try {
      return await this.backend.get();
    } catch (err) {
      this.keychainFailure = this.describeFailure(err);
      return null;
    }
  }

  async status(): Promise<KeyStatus> {
    if (this.envKey) return { stored: true, backend: 'env', notice: null };
    if (this.memoryKey)
      return { stored: true, backend: 'memory', notice: this.keychainFailure ?? memoryNotice };
    const key = await this.get();
    return key
      ? { stored: true, backend: 'keychain', notice: null }
      : { stored: false, backend: null, notice: this.keychainFailure };
  }

  async set(key: string): Promise<KeyStatus> {
    try {
      await this.backend.set(key);
      this.memoryKey = null;
      this.keychainFailure = null;
      return { stored: true, backend: 'keychain', notice: null };
    } catch (err) {
      this.memoryKey = key;
      this.keychainFailure = this.describeFailure(err);
      return { stored: true, backend: 'memory', notice: this.keychainFailure };
    }
  }

  async clear(): Promise<KeyStatus> {
    this.memoryKey = null;
    try {
      await this.backend.delete();
    } catch (err) {
      this.keychainFailure = `The keychain could not be cleared: ${(err as Error).message}`;
    }
    return { stored: false, backend: null, notice: this.keychainFailure };
  }
}
