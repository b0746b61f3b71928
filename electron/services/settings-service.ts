import { resolveApiBase } from '../core/api-endpoint';
import { appliedTags, normalizeTags, type TagCheck } from '../core/tags';
import type { SettingsRepository } from '../adapters/db/settings-repo';
import { CodedError } from '../shared/result';
import type { Settings } from '../shared/types';

export const defaultSettings: Settings = {
  stage: 'prod',
  apiUrl: null,
  lineEnding: 'crlf',
  baudRate: 115200,
  rtscts: false,
  timeoutMs: 5_000,
  siteTags: [],
  refreshHours: 4,
  retentionDays: 30,
  watch: true,
  sessionTags: [],
  feedback: true,
};

/** Settings saved in the database, with per-run overrides (CLI flags, environment). */
export class SettingsService {
  constructor(
    private readonly repo: SettingsRepository,
    private readonly overrides: Partial<Settings> = {},
    private readonly onChange: () => void = () => undefined,
  ) {}

  get(): Settings {
    // An API URL stored by an older build is never used: only a run's override (the CLI's flag or
    // environment, a development build) points the app away from nRF Cloud.
    const { apiUrl: _stored, ...saved } = this.repo.read<Partial<Settings>>('app') ?? {};
    return { ...defaultSettings, ...saved, ...this.overrides };
  }

  update(change: Partial<Settings>): Settings {
    if ('apiUrl' in change)
      throw new CodedError(
        'invalid-argument',
        'The API URL is not a setting: give it with --api-url or FIELDCLAIM_API_URL (for a loopback test server)',
      );
    for (const [field, words] of [
      ['siteTags', 'site tags'],
      ['sessionTags', 'session tags'],
    ] as const) {
      const given = change[field];
      if (!given) continue;
      const tags = normalizeTags(given);
      if (!tags.ok) throw new CodedError('invalid-argument', `${words}: ${tags.reason}`);
      change = { ...change, [field]: tags.tags };
    }
    const next = { ...this.get(), ...change };
    const endpoint = resolveApiBase(next.stage, next.apiUrl);
    if (!endpoint.ok) throw new CodedError('url-refused', endpoint.reason);
    const saved = this.repo.read<Partial<Settings>>('app') ?? {};
    this.repo.write({ app: { ...saved, ...change } });
    this.onChange();
    return this.get();
  }

  /** What something entering the queue is tagged with: the site's tags, the session's, then its own. */
  tagsFor(extra: readonly string[] = []): TagCheck {
    const { siteTags, sessionTags } = this.get();
    return appliedTags(siteTags, sessionTags, extra);
  }

  /** The API base URL the key may be sent to; refuses anything else before any connection. */
  apiBase(): string {
    const { stage, apiUrl } = this.get();
    const endpoint = resolveApiBase(stage, apiUrl);
    if (!endpoint.ok) throw new CodedError('url-refused', endpoint.reason);
    return endpoint.base;
  }
}
