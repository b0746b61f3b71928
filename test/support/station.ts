import { defaultRetryPolicy, type RetryPolicy } from '../../electron/core/retry-policy';
import { Fieldclaim, type FieldclaimOptions } from '../../electron/services/fieldclaim';

/** Back-off in milliseconds instead of seconds: the same rules, at test speed. */
export const fastRetries: RetryPolicy = {
  ...defaultRetryPolicy,
  baseMs: 5,
  capMs: 40,
  defaultRateLimitMs: 20,
  minRateLimitMs: 5,
};
import type { SecretBackend } from '../../electron/adapters/secrets/key-store';
import { ModemSimulator, type ModemConfig } from './modem-sim';
import { openPtyPair, type PtyPair } from './pty-pair';
import { tempDir } from './temp-dir';

/** A keychain stand-in for tests that are not about the keychain (the real one is tested on its own). */
export function memorySecretBackend(initial: string | null = null): SecretBackend & { value: string | null } {
  return {
    name: 'keychain',
    value: initial,
    async get() {
      return this.value;
    },
    async set(v: string) {
      this.value = v;
    },
    async delete() {
      this.value = null;
    },
  };
}

/** The app's services on a temp data folder. */
export function openTestApp(options: Partial<FieldclaimOptions> = {}) {
  const dir = tempDir();
  const app = new Fieldclaim({
    dataDir: dir.path,
    secretBackend: memorySecretBackend(),
    userAgent: 'Fieldclaim/test',
    ...options,
  });
  return {
    app,
    dataDir: options.dataDir ?? dir.path,
    close() {
      app.close();
      dir.remove();
    },
  };
}

/** The app's services with an API key, pointed at a simulated Provisioning API. */
export function connectedStation(
  sim: { baseUrl: string },
  key: string,
  options: Partial<FieldclaimOptions> = {},
) {
  return openTestApp({
    ...options,
    secretBackend: memorySecretBackend(key),
    settingsOverrides: { apiUrl: sim.baseUrl, ...options.settingsOverrides },
  });
}

/** A simulated board on a fresh pty pair. */
export async function plugInBoard(config: Partial<ModemConfig> = {}): Promise<{
  pty: PtyPair;
  modem: ModemSimulator;
  unplug(): Promise<void>;
}> {
  const pty = await openPtyPair();
  const modem = await ModemSimulator.start(pty.devicePath, config);
  // Unplugging closes the pty pair, as pulling the USB cable removes the port.
  modem.onUnplug = () => void pty.close();
  return {
    pty,
    modem,
    async unplug() {
      await modem.close();
      await pty.close();
    },
  };
}
