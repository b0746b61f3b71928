import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyStore, keytarBackend } from '../../electron/adapters/secrets/key-store';
import { Fieldclaim } from '../../electron/services/fieldclaim';
import { tempDir } from '../support/temp-dir';

// The test command runs this under dbus-run-session with an unlocked gnome-keyring and sets
// FIELDCLAIM_EXPECT_KEYCHAIN=1, so there it must pass; run alone without a Secret Service it is skipped.
const expectKeychain = process.env.FIELDCLAIM_EXPECT_KEYCHAIN === '1';

describe.runIf(expectKeychain)('the real OS keychain (gnome-keyring over D-Bus)', () => {
  it('stores, reports and clears the key through keytar', async () => {
    const store = new KeyStore(keytarBackend());
    await store.clear();
    expect(await store.status()).toMatchObject({ stored: false });
    expect(await store.set('keychain-test-key-7f3a')).toEqual({
      stored: true,
      backend: 'keychain',
      notice: null,
    });
    // A second store (a new run of the app) finds it.
    expect(await new KeyStore(keytarBackend()).get()).toBe('keychain-test-key-7f3a');
    await store.clear();
    expect(await new KeyStore(keytarBackend()).get()).toBeNull();
  });

  it('never writes the key into the data folder', async () => {
    const dir = tempDir();
    const app = new Fieldclaim({ dataDir: dir.path, userAgent: 'test' });
    try {
      const status = await app.keys.set('needle-key-5be1c0ffee');
      expect(status.backend).toBe('keychain');
      for (const file of readdirSync(dir.path)) {
        expect(readFileSync(join(dir.path, file)).includes('needle-key-5be1c0ffee')).toBe(false);
      }
      await app.keys.clear();
    } finally {
      app.close();
      dir.remove();
    }
  });
});
