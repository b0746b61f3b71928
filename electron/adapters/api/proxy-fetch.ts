import { isLoopbackUrl } from '../../core/api-endpoint';
import type { FetchLike } from './provisioning-client';

/** The proxy the environment names for https (or http) requests, if any. */
function proxyFromEnvironment(env: NodeJS.ProcessEnv): string | undefined {
  return env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy || undefined;
}

/**
 * The command line's fetch. Corporate laptops often reach the internet only through a proxy, which
 * Node's own fetch ignores: where the environment names one (HTTPS_PROXY, NO_PROXY), nRF Cloud is
 * reached through it. A loopback test server never is: the key must not cross a proxy in cleartext.
 */
export function fetchForEnvironment(env: NodeJS.ProcessEnv = process.env): FetchLike {
  const direct: FetchLike = (input, init) => fetch(input, init);
  if (!proxyFromEnvironment(env)) return direct;
  // Loaded at the first request that needs it: a command that never goes online never pays for it.
  let throughProxy: Promise<FetchLike> | undefined;
  const loadProxy = async (): Promise<FetchLike> => {
    const undici = await import('undici');
    const agent = new undici.EnvHttpProxyAgent({ noProxy: env.NO_PROXY ?? env.no_proxy });
    return (input, init) =>
      undici.fetch(input, {
        ...(init as Parameters<typeof undici.fetch>[1]),
        dispatcher: agent,
      }) as unknown as Promise<Response>;
  };
  return (input, init) =>
    isLoopbackUrl(input)
      ? direct(input, init)
      : (throughProxy ??= loadProxy()).then((viaProxy) => viaProxy(input, init));
}
