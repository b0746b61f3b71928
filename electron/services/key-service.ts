import { checkApiKey } from '../core/api-key';
import type { DiagnosticsLog } from '../adapters/log/diagnostics-log';
import type { KeyStore } from '../adapters/secrets/key-store';
import { CodedError } from '../shared/result';
import type { KeyStatus } from '../shared/types';
import type { AppFlagsStore } from './app-flags';
import type { EventBus, ServiceEvents } from './events';

export const readOnlyKeyReason =
  "This API key's role can only read (a viewer): changes are not possible with it. Store a key with the editor, admin or owner role in Settings.";

/** The API key: handed in, asked about, removed; never handed out except to the sync. */
export class KeyService {
  constructor(
    private readonly store: KeyStore,
    private readonly flags: AppFlagsStore,
    private readonly log: DiagnosticsLog,
    private readonly events: EventBus<ServiceEvents>,
  ) {}

  status(): Promise<KeyStatus> {
    return this.store.status();
  }

  async set(input: string): Promise<KeyStatus> {
    const checked = checkApiKey(input);
    if (!checked.ok) throw new CodedError('invalid-argument', checked.reason);
    this.log.addSecret(checked.key);
    const status = await this.store.set(checked.key);
    // A new key's role is not known yet: asked again before its first change.
    this.flags.set({ keyReadOnly: false, keyRoleChecked: false });
    this.events.emit('changed', undefined);
    this.events.emit('keyStored', undefined);
    return status;
  }

  async clear(): Promise<KeyStatus> {
    const status = await this.store.clear();
    this.flags.set({ keyReadOnly: false, keyRoleChecked: false });
    this.events.emit('changed', undefined);
    return status;
  }

  /** The key itself, for the sync alone. */
  async forSync(): Promise<string | null> {
    const key = await this.store.get();
    this.log.addSecret(key);
    return key;
  }

  /** Why changes are refused up front, when the key is known to be a viewer's. */
  readOnlyReason(): string | null {
    return this.flags.get('keyReadOnly') ? readOnlyKeyReason : null;
  }
}
