import { describe, expect, it } from 'vitest';
import { KeyStore, type SecretBackend } from '../../electron/adapters/secrets/key-store';

const rejecting: SecretBackend = {
  name: 'keychain',
  get: () =>
    Promise.reject(new Error('The name org.freedesktop.secrets was not provided by any .service files')),
  set: () =>
    Promise.reject(new Error('The name org.freedesktop.secrets was not provided by any .service files')),
  delete: () => Promise.reject(new Error('no keychain')),
};
const hanging: SecretBackend = {
  name: 'keychain',
  get: () => new Promise(() => undefined),
  set: () => new Promise(() => undefined),
  delete: () => new Promise(() => undefined),
};

describe('KeyStore', () => {
  it('keeps the key in memory for this run when the keychain refuses, and says so', async () => {
    const store = new KeyStore(rejecting);
    const status = await store.set('secret-1');
    expect(status).toMatchObject({ stored: true, backend: 'memory' });
    expect(status.notice).toMatch(/in memory until Fieldclaim closes/);
    expect(await store.get()).toBe('secret-1');
    expect(await store.clear()).toMatchObject({ stored: false });
    expect(await store.get()).toBeNull();
  });

  it('does not hang on a keychain that never answers (a locked keyring with a prompt)', async () => {
    const store = new KeyStore(hanging, null, 50);
    const status = await store.set('secret-2');
    expect(status.backend).toBe('memory');
    expect(status.notice).toMatch(/did not answer within 50 ms/);
  });

  it('lets the environment override the keychain', async () => {
    const store = new KeyStore(rejecting, 'from-env');
    expect(await store.get()).toBe('from-env');
    expect(await store.status()).toEqual({ stored: true, backend: 'env', notice: null });
  });

  it('never puts the key into a status', async () => {
    const store = new KeyStore(rejecting);
    await store.set('very-secret-value');
    expect(JSON.stringify(await store.status())).not.toContain('very-secret-value');
  });
});
