import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { createDispatcher } from '../../electron/services/dispatch';
import { Fieldclaim, type FieldclaimOptions } from '../../electron/services/fieldclaim';
import type { Page } from '@playwright/test';
import { channels, eventNames } from '../../electron/shared/contract';
import { installHttpApi } from './browser-api';
import { memorySecretBackend } from './station';
import { tempDir } from './temp-dir';

const rendererDir = resolve(__dirname, '../../out/renderer');
const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Stands in for Electron's IPC in browser tests: serves the built renderer and carries the same
 * contract to the same dispatcher main uses (POST /rpc/<channel>, pushed events over SSE).
 */
export class TestTransport {
  private server: Server | null = null;
  private readonly clients = new Set<ServerResponse>();
  private readonly unsubscribes: Array<() => void> = [];
  url = '';

  constructor(
    private readonly app: Fieldclaim,
    /**
     * For a plain browser (the demo): the page gets window.api from a script this server adds to
     * index.html, instead of from Playwright's addInitScript. A file, not inline: the CSP forbids that.
     */
    private readonly options: { injectApi?: boolean; port?: number } = {},
  ) {}

  async start(): Promise<this> {
    if (!existsSync(join(rendererDir, 'index.html')))
      throw new Error('out/renderer is missing: run `npm run build` first');
    const dispatch = createDispatcher(this.app);
    for (const event of eventNames) {
      this.unsubscribes.push(
        this.app.on(event, (payload) => {
          for (const client of this.clients)
            client.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
        }),
      );
    }
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'POST' && url.pathname.startsWith('/rpc/')) {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          void dispatch(url.pathname.slice(5), body ? JSON.parse(body) : {}).then((result) => {
            res.writeHead(200, { 'Content-Type': 'application/json' });
            res.end(JSON.stringify(result));
          });
        });
        return;
      }
      if (url.pathname === '/events') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
        res.write(': connected\n\n');
        this.clients.add(res);
        req.on('close', () => this.clients.delete(res));
        return;
      }
      if (this.options.injectApi && url.pathname === '/fieldclaim-http-api.js') {
        res.writeHead(200, { 'Content-Type': 'text/javascript' });
        // esbuild (tsx) may wrap functions in __name(); the browser has no such helper.
        res.end(
          `var __name = (f) => f;\n(${installHttpApi.toString()})(${JSON.stringify({ channels, events: eventNames })});`,
        );
        return;
      }
      if (this.options.injectApi && (url.pathname === '/' || url.pathname === '/index.html')) {
        const html = readFileSync(join(rendererDir, 'index.html'), 'utf8').replace(
          '<script type="module"',
          '<script src="/fieldclaim-http-api.js"></script>\n    <script type="module"',
        );
        res.writeHead(200, { 'Content-Type': mimeTypes['.html']! }).end(html);
        return;
      }
      const file = normalize(join(rendererDir, url.pathname === '/' ? 'index.html' : url.pathname));
      if (!file.startsWith(rendererDir) || !existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': mimeTypes[extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((r) => this.server!.listen(this.options.port ?? 0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.unsubscribes.forEach((u) => u());
    for (const client of this.clients) client.end();
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

/** Opens the built renderer in a Playwright page, its window.api carried by the transport. */
export async function openUi(page: Page, transport: TestTransport): Promise<void> {
  await page.addInitScript(installHttpApi, { channels, events: eventNames });
  await page.goto(transport.url);
}

/**
 * The app's services on a temp folder, served to a browser through the transport. Defaults: a
 * keychain stand-in and no recognised serial ports (tests type port paths or list their own).
 */
export async function startUi(
  options: Partial<FieldclaimOptions> = {},
  /** How often the live port list looks (the desktop app's second); null: the station is not started. */
  stationIntervalMs: number | null = 200,
) {
  const dir = tempDir();
  const app = new Fieldclaim({
    dataDir: dir.path,
    secretBackend: memorySecretBackend(),
    userAgent: 'Fieldclaim/e2e',
    listPorts: async () => [],
    ...options,
  });
  const transport = await new TestTransport(app).start();
  // As the desktop app starts it: ports listed live, the watch on unless switched off.
  if (stationIntervalMs !== null) app.startStation(stationIntervalMs);
  return {
    app,
    transport,
    dataDir: dir.path,
    async close() {
      await transport.stop();
      app.close();
      dir.remove();
    },
  };
}
