import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problems, selectFiles } from '../packaging/package-dry';
import { tempDir } from '../support/temp-dir';

const root = resolve(__dirname, '../..');
type Targets = { target: Array<{ target: string }>; icon: string };
interface BuilderConfig {
  appId: string;
  productName: string;
  version?: string;
  extraMetadata?: { version?: string };
  files: string[];
  asarUnpack: string[];
  extraResources: unknown;
  win: Targets;
  mac: Targets;
  linux: Targets;
  deb: { afterInstall: string; afterRemove: string };
}
const config = JSON.parse(readFileSync(join(root, 'electron-builder.json'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  main: string;
  dependencies: Record<string, string>;
};

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('the electron-builder configuration', () => {
  it('builds an NSIS installer, a dmg, an AppImage and a .deb, versioned from package.json', () => {
    expect(config.appId).toBe('com.fieldclaim.app');
    expect(config.productName).toBe('Fieldclaim');
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis']);
    expect(config.mac.target.map((t) => t.target)).toEqual(['dmg']);
    expect(config.linux.target.map((t) => t.target)).toEqual(['AppImage', 'deb']);
    expect(config.version).toBeUndefined();
    expect(config.extraMetadata?.version).toBeUndefined();
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(pkg.main).toBe('out/main/index.js');
  });

  it('unpacks every native module from the asar so it can load, and keeps them in dependencies', () => {
    for (const native of ['better-sqlite3', '@serialport/bindings-cpp', 'keytar']) {
      expect(config.asarUnpack).toContain(`node_modules/${native}/**`);
    }
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['better-sqlite3', 'keytar', 'serialport']);
  });

  it('ships only the built app: no test code, simulators, benchmarks or sources', () => {
    const shipped = selectFiles(config.files, [
      'out/main/index.js',
      'out/renderer/index.html',
      'package.json',
      'test/support/api-sim.ts',
      'bench/run.ts',
      'electron/main/index.ts',
      'out/main/index.js.map',
      'test/fixtures/csv/bulk-basic.csv',
    ]);
    expect(shipped).toEqual(['out/main/index.js', 'out/renderer/index.html', 'package.json']);
  });

  it('has icons at the sizes each platform needs', () => {
    const icons = join(root, 'resources/icons');
    for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) {
      expect(pngSize(readFileSync(join(icons, `${size}x${size}.png`)))).toEqual([size, size]);
    }
    const ico = readFileSync(join(root, config.win.icon));
    expect(ico.readUInt16LE(2)).toBe(1);
    const icoSizes = Array.from({ length: ico.readUInt16LE(4) }, (_v, i) => ico.readUInt8(6 + 16 * i) || 256);
    expect(icoSizes).toEqual(expect.arrayContaining([16, 32, 48, 256]));
    const icns = readFileSync(join(root, config.mac.icon));
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    for (const type of ['ic07', 'ic08', 'ic09', 'ic10']) expect(icns.includes(Buffer.from(type))).toBe(true);
  });

  it('installs the udev rule from the .deb and ships it for the AppImage', () => {
    expect(config.extraResources).toEqual([
      { from: 'resources/99-fieldclaim-nordic.rules', to: '99-fieldclaim-nordic.rules' },
    ]);
    expect(readFileSync(join(root, 'resources/99-fieldclaim-nordic.rules'), 'utf8')).toMatch(
      /ATTRS\{idVendor\}=="1915"/,
    );
    const afterInstall = readFileSync(join(root, config.deb.afterInstall), 'utf8');
    expect(afterInstall).toContain('99-fieldclaim-nordic.rules');
    expect(afterInstall).toContain('udevadm control --reload-rules');
    expect(existsSync(join(root, config.deb.afterRemove))).toBe(true);
  });

  it('the release workflow builds on Windows, macOS and Linux and takes signing secrets from the secret store', () => {
    const workflow = readFileSync(join(root, '.github/workflows/release.yml'), 'utf8');
    for (const os of ['windows-latest', 'macos-latest', 'ubuntu-latest']) expect(workflow).toContain(os);
    expect(workflow).toMatch(/tags: \['v\*'\]/);
    expect(workflow).toContain('${{ secrets.WIN_CSC_LINK }}');
    expect(workflow).toContain('npm test');
    expect(workflow).not.toMatch(/CSC_KEY_PASSWORD: [^$]/);
  });
});

describe('what would ship (npm run package:dry)', () => {
  it('passes for the built app, with no test or simulator code in out/', () => {
    const run = spawnSync(
      join(root, 'node_modules/.bin/tsx'),
      [join(root, 'test/packaging/package-dry.ts'), '--quiet'],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toMatch(/0 problem\(s\)/);
    expect(run.status).toBe(0);
    const built = readdirSync(join(root, 'out'), { recursive: true }) as string[];
    expect(built.some((f) => f.endsWith('.map'))).toBe(false);
  });

  it('fails when the packaging rules are broken', () => {
    const dir = tempDir();
    try {
      const broken = join(dir.path, 'broken.json');
      writeFileSync(broken, JSON.stringify({ ...config, files: [...config.files, 'test/**'] }));
      const run = spawnSync(
        join(root, 'node_modules/.bin/tsx'),
        [join(root, 'test/packaging/package-dry.ts'), '--quiet', '--config', broken],
        {
          encoding: 'utf8',
        },
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/a simulator would ship|test code would ship/);
    } finally {
      dir.remove();
    }
    expect(
      problems(['out/main/x.js.map'], () => '{"sources":["/home/dev/fieldclaim/electron/main/index.ts"]}'),
    ).toHaveLength(1);
    expect(problems(['out/main/x.js'], () => 'class ModemSimulator {}')).toHaveLength(1);
  });
});
