/**
 * Renders resources/icons/icon.svg into the sizes each platform needs (run: npx tsx
 * resources/icons/make-icons.ts; the outputs are committed). PNGs come from Debian's Chromium;
 * .ico and .icns are plain containers of those PNGs (both formats store PNG entries as they are),
 * written here rather than pulling in a converter for two small files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';

const dir = __dirname;
export const pngSizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

async function render(): Promise<Map<number, Buffer>> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  const svg = readFileSync(join(dir, 'icon.svg'), 'utf8');
  const out = new Map<number, Buffer>();
  try {
    for (const size of pngSizes) {
      const page = await browser.newPage({ viewport: { width: size, height: size } });
      await page.setContent(
        `<style>html,body{margin:0;background:transparent}</style>${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}`,
      );
      out.set(
        size,
        await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } }),
      );
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return out;
}

/** ICO: a directory of PNG images (Windows Vista and later read PNG entries). */
function ico(pngs: Array<[number, Buffer]>): Buffer {
  const header = Buffer.alloc(6 + 16 * pngs.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(pngs.length, 4);
  let offset = header.length;
  pngs.forEach(([size, png], i) => {
    const at = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, at);
    header.writeUInt8(size >= 256 ? 0 : size, at + 1);
    header.writeUInt16LE(1, at + 4);
    header.writeUInt16LE(32, at + 6);
    header.writeUInt32LE(png.length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...pngs.map(([, png]) => png)]);
}

/** ICNS: typed PNG entries (ic07 128, ic08 256, ic09 512, ic10 1024 / 512@2x, ic11-ic14 retina). */
function icns(bySize: Map<number, Buffer>): Buffer {
  const types: Array<[string, number]> = [
    ['icp4', 16],
    ['icp5', 32],
    ['icp6', 64],
    ['ic07', 128],
    ['ic08', 256],
    ['ic09', 512],
    ['ic10', 1024],
    ['ic11', 32],
    ['ic12', 64],
    ['ic13', 256],
    ['ic14', 512],
  ];
  const entries = types.map(([type, size]) => {
    const png = bySize.get(size)!;
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + entries.reduce((n, e) => n + e.length, 0), 4);
  return Buffer.concat([head, ...entries]);
}

void render().then((pngs) => {
  for (const [size, png] of pngs) writeFileSync(join(dir, `${size}x${size}.png`), png);
  writeFileSync(join(dir, 'icon.png'), pngs.get(1024)!);
  writeFileSync(join(dir, 'icon.ico'), ico([16, 24, 32, 48, 64, 128, 256].map((s) => [s, pngs.get(s)!])));
  writeFileSync(join(dir, 'icon.icns'), icns(pngs));
  console.log(`icons written to ${dir}`);
});
