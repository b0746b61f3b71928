/**
 * The renderer's Content Security Policy, one source for the page's meta tag (build) and the
 * response header (main): only the app's own files, no inline script or style, no remote origin.
 */
const directives: Record<string, string> = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'font-src': "'self'",
  'connect-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
  'object-src': "'none'",
};

// A <meta> CSP ignores frame-ancestors (and browsers warn about it): it belongs in the header only.
const headerOnly = new Set(['frame-ancestors']);

export function contentSecurityPolicy(target: 'header' | 'meta' = 'header', dev = false): string {
  return Object.entries(directives)
    .filter(([name]) => target === 'header' || !headerOnly.has(name))
    .map(([name, value]) => {
      // Vite's dev server injects styles and talks over a websocket; built pages need neither.
      if (dev && name === 'style-src') return `${name} ${value} 'unsafe-inline'`;
      if (dev && name === 'connect-src') return `${name} ${value} ws://localhost:* http://localhost:*`;
      return `${name} ${value}`;
    })
    .join('; ');
}
