/**
 * Tells a web page from an API answer. Captive portals (hotel, site and guest Wi-Fi) and proxies
 * answer every request with HTML, often with status 200: such an answer must never be read as
 * the service's.
 */
export function looksLikeWebPage(contentType: string | null, body: string): boolean {
  if (contentType && /\b(text\/html|application\/xhtml)/i.test(contentType)) return true;
  return /^\s*</.test(body);
}

export const signInHint =
  'Sign in to the network in a browser (or ask for the proxy settings), then sync again. Nothing was changed.';

/** Plain words for an answer that did not come from the Provisioning API. */
export function describeWebAnswer(status: number, host: string): string {
  return (
    `The network answered with a web page (HTTP ${status}) instead of the nRF Cloud API at ${host}: ` +
    `probably a captive portal (hotel, site or guest Wi-Fi) or a proxy. ${signInHint}`
  );
}

export function describeRedirect(status: number, host: string, location: string | null): string {
  let where = 'elsewhere';
  try {
    if (location) where = new URL(location, `https://${host}/`).origin;
  } catch {
    // an unreadable Location header says nothing useful
  }
  return (
    `The request to ${host} was redirected to ${where} (HTTP ${status}): probably a captive portal or a proxy. ` +
    `Redirects are never followed, so the key stays here. ${signInHint}`
  );
}
