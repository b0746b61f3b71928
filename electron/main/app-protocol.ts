import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { contentSecurityPolicy } from '../shared/csp';

/**
 * The renderer is served from app://fieldclaim/ rather than file://: with file://, the CSP's
 * 'self' admits any file on the disk; with a scheme of its own, 'self' is the app's files alone.
 */
export const APP_SCHEME = 'app';
const APP_HOST = 'fieldclaim';
export const appIndexUrl = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Whether a URL is the app's own (Node's URL gives a custom scheme the origin "null", so the
 * scheme and host are compared, not the origin).
 */
export function isAppSchemeUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Registered before the app is ready: a standard, secure scheme that can fetch its own files. */
export const appSchemePrivileges = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * Answers a request for app://fieldclaim/<path> from the built renderer folder, with the CSP as a
 * header. Anything outside that folder, or for another host, is not found.
 */
export async function serveAppFile(rendererDir: string, requestUrl: string): Promise<Response> {
  const notFound = () => new Response('not found', { status: 404 });
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return notFound();
  }
  if (!isAppSchemeUrl(requestUrl)) return notFound();
  const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
  const file = normalize(join(rendererDir, relative));
  if (!file.startsWith(normalize(rendererDir) + sep)) return notFound();
  try {
    const body = await readFile(file);
    return new Response(body, {
      headers: {
        'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': contentSecurityPolicy('header'),
        'X-Content-Type-Options': 'nosniff',
      },
    });
  } catch {
    return notFound();
  }
}
