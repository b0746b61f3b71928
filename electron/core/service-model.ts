import type { DeviceFields } from '../shared/types';

/** The service's objects as this app understands them; unknown fields are kept in `raw`. */
export interface ServiceDevice extends DeviceFields {
  raw: unknown;
}

export interface ServiceTag {
  id: string | null;
  tag: string;
  description: string;
  createdAt: string | null;
}

/** What a call came to, in the terms the outbox needs to decide an entry's fate. */
export type ApiOutcome<T> =
  | { kind: 'ok'; value: T; status: number }
  | { kind: 'rejected'; status: number; message: string; raw: string }
  | { kind: 'auth'; status: 401 | 403; message: string }
  | { kind: 'rate-limited'; retryAfterMs: number | null; message: string }
  /** `maybeSent`: the request may have reached the service (reset, timeout, 5xx), so its effect is unknown. */
  | { kind: 'transient'; status: number | null; message: string; maybeSent: boolean }
  /**
   * Something other than the Provisioning API answered: a captive portal's login page, a proxy's
   * error page, a redirect. Going on cannot help until the technician deals with the network.
   */
  | { kind: 'not-api'; status: number; message: string; maybeSent: boolean };

export type ApiFailure = Exclude<ApiOutcome<unknown>, { kind: 'ok' }>;
