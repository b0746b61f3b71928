import type { ArgsOf } from '$shared/contract';
import type { Settings } from '$shared/types';
import { api, call } from '../api';

/** The saved settings, loaded once and kept as the main process answers each change. */
export class SettingsState {
  settings = $state<Settings | null>(null);

  async load(): Promise<void> {
    const { value } = await call(api.getSettings({}));
    if (value) this.settings = value;
  }

  /** Saves a change; the refusal's words when the main process refuses it (checked there too). */
  async update(change: ArgsOf<'updateSettings'>): Promise<string | null> {
    const { value, error } = await call(api.updateSettings(change));
    if (value) this.settings = value;
    return error?.message ?? null;
  }
}

export const settingsState = new SettingsState();
