import type { Stage } from '../shared/types';

/** The only places the API key may ever be sent. */
export const stageBaseUrls: Record<Stage, string> = {
  prod: 'https://api.provisioning.nrfcloud.com/v1/',
  beta: 'https://api.provisioning.beta.nrfcloud.com/v1/',
  dev: 'https://api.provisioning.dev.nrfcloud.com/v1/',
};

const provisioningHosts = new Set(Object.values(stageBaseUrls).map((u) => new URL(u).host));
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether a URL points at a loopback test server, the only kind checkExplicitApiUrl lets through
 * besides nRF Cloud: such a request never goes through a proxy.
 */
export function isLoopbackUrl(text: string): boolean {
  try {
    return loopbackHosts.has(new URL(text).hostname);
  } catch {
    return false;
  }
}

export type EndpointCheck = { ok: true; base: string } | { ok: false; reason: string };

/**
 * Accepts an explicit API URL only if it is an nRF Cloud provisioning host over https, or a test
 * server on loopback. Anything else is refused before a connection is made: a mistyped or
 * malicious endpoint must never receive the key.
 */
export function checkExplicitApiUrl(text: string): EndpointCheck {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: `"${text}" is not a URL` };
  }
  if (url.username || url.password) return { ok: false, reason: 'the API URL must not carry credentials' };
  const loopback = loopbackHosts.has(url.hostname) && (url.protocol === 'http:' || url.protocol === 'https:');
  const provisioning = url.protocol === 'https:' && provisioningHosts.has(url.host);
  if (!loopback && !provisioning) {
    return {
      ok: false,
      reason: `${url.origin} is neither an nRF Cloud provisioning host (https) nor a loopback test server; the key is only sent to those`,
    };
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return { ok: true, base: url.toString() };
}

export function resolveApiBase(stage: Stage, explicitUrl: string | null): EndpointCheck {
  return explicitUrl ? checkExplicitApiUrl(explicitUrl) : { ok: true, base: stageBaseUrls[stage] };
}
