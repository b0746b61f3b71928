import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pickConsolePorts, usbSerialPatterns } from '../../electron/core/boards';
import { listFromById, listFromSysfs, toRawPort } from '../../electron/adapters/serial/port-list';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cliEnv, cliPath, runCli } from '../support/cli';
import { readFieldJson, type NordicPortList, type NordicUsbPattern } from '../support/field-data';
import { describeFieldData } from '../support/field-data-suite';
import { asSerialportListing, platformOfList } from '../support/pyserial-ports';
import { openTestApp } from '../support/station';
import { tempDir } from '../support/temp-dir';

let root: ReturnType<typeof tempDir>;
beforeEach(() => {
  root = tempDir();
});
afterEach(() => root.remove());

/** Lays out /sys/class/tty/<name> -> .../usb/<iface> as the kernel does for a CDC ACM board. */
function fakeSysfs(
  ports: Array<{ name: string; serial: string; vendor: string; product: string; iface: string }>,
): string {
  const classDir = join(root.path, 'sys/class/tty');
  mkdirSync(classDir, { recursive: true });
  for (const p of ports) {
    const usb = join(root.path, 'sys/devices/usb1', p.serial);
    const iface = join(usb, `${p.serial}:1.${p.iface}`);
    mkdirSync(join(iface, 'tty', p.name), { recursive: true });
    writeFileSync(join(usb, 'serial'), `${p.serial}\n`);
    writeFileSync(join(usb, 'idVendor'), `${p.vendor}\n`);
    writeFileSync(join(usb, 'idProduct'), `${p.product}\n`);
    writeFileSync(join(iface, 'bInterfaceNumber'), `${p.iface}\n`);
    mkdirSync(join(classDir, p.name));
    symlinkSync(iface, join(classDir, p.name, 'device'));
  }
  mkdirSync(join(classDir, 'ttyS0')); // a built-in UART: not a USB board, not listed
  return classDir;
}

describe('listing ports without udevadm', () => {
  it('reads USB attributes from sysfs and picks each board console', () => {
    const classDir = fakeSysfs([
      { name: 'ttyACM1', serial: '001051234567', vendor: '1366', product: '1059', iface: '02' },
      { name: 'ttyACM0', serial: '001051234567', vendor: '1366', product: '1059', iface: '00' },
      { name: 'ttyACM2', serial: 'THINGY91X_AB12', vendor: '1915', product: '910a', iface: '00' },
    ]);
    const ports = pickConsolePorts(listFromSysfs(classDir));
    expect(ports.map((p) => [p.path, p.board, p.console])).toEqual([
      ['/dev/ttyACM0', 'nRF9151 DK', true],
      ['/dev/ttyACM2', 'Thingy:91 X', true],
      ['/dev/ttyACM1', 'nRF9151 DK', false],
    ]);
  });

  it('names a kit that is not an nRF91 and a bare J-Link, and offers neither for reading', () => {
    const classDir = fakeSysfs([
      { name: 'ttyACM0', serial: '001050760093', vendor: '1366', product: '1051', iface: '00' },
      { name: 'ttyACM1', serial: '001050760093', vendor: '1366', product: '1051', iface: '02' },
      { name: 'ttyACM2', serial: '000821001234', vendor: '1366', product: '0105', iface: '00' },
    ]);
    const ports = pickConsolePorts(listFromSysfs(classDir));
    expect(ports.filter((p) => p.console)).toEqual([]);
    expect(Object.fromEntries(ports.map((p) => [p.path, p.board]))).toEqual({
      '/dev/ttyACM0': 'nRF7002 DK, not a cellular board',
      '/dev/ttyACM1': 'nRF7002 DK, not a cellular board',
      '/dev/ttyACM2': expect.stringMatching(/^SEGGER J-Link, not a Nordic kit/),
    });
  });

  it('reads serial numbers and interfaces from /dev/serial/by-id names', () => {
    const byId = join(root.path, 'by-id');
    mkdirSync(byId);
    symlinkSync('../../ttyACM3', join(byId, 'usb-SEGGER_J-Link_001050111111-if00'));
    expect(listFromById(byId)).toEqual([
      { path: '/dev/ttyACM3', serialNumber: '001050111111', interfaceNumber: 0 },
    ]);
  });

  it('returns nothing, never throws, when the folders are missing', () => {
    expect(listFromSysfs(join(root.path, 'nope'))).toEqual([]);
    expect(listFromById(join(root.path, 'nope'))).toEqual([]);
  });
});

describe('the CLI on a machine with no Nordic board', () => {
  it('`scan --watch` watches until interrupted, then exits 0 with what it read', async () => {
    const child = spawn(process.execPath, [cliPath, '--data-dir', root.path, 'scan', '--watch', '--json'], {
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, 'exit');
    await expect.poll(() => stderr, { timeout: 15_000 }).toMatch(/Watching for boards/);
    child.kill('SIGINT');
    const [code] = (await exited) as [number];
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it('`ports` lists what there is; `scan --all` says to plug one in', async () => {
    const ports = await runCli(['--data-dir', root.path, 'ports', '--json']);
    expect(ports.code).toBe(0);
    expect(Array.isArray(ports.json)).toBe(true);
    expect((ports.json as Array<{ console: boolean }>).filter((p) => p.console)).toEqual([]);
    const all = await runCli(['--data-dir', root.path, 'scan', '--all', '--json']);
    expect(all.code).toBe(1);
    expect(all.json).toMatchObject({ error: { message: expect.stringMatching(/plug one in/) } });
  });
});

/** Nordic's kit names (nRF9151-DK) as Fieldclaim writes them (nRF9151 DK). */
const asFieldclaimName = (nordic: string) => nordic.replace(/-(DK|EK)$/, ' $1');
const isNrf91 = (nordicName: string) => /nRF91|Thingy:91/.test(nordicName);

describeFieldData("Nordic's board recognition (usb/, nrfcredstore)", () => {
  const { usb_patterns: nordicPatterns } = readFieldJson<{ usb_patterns: NordicUsbPattern[] }>(
    'usb',
    'nordic-usb-patterns.json',
  );
  const { lists } = readFieldJson<{ lists: Record<string, NordicPortList> }>(
    'usb',
    'nrfcredstore-port-fixtures.json',
  );

  it("knows every serial-number pattern of Nordic's, in its order, with its main port and kind", () => {
    expect(usbSerialPatterns.map((p) => p.prefix)).toEqual(nordicPatterns.map((p) => p.serial_prefix));
    for (const [i, nordic] of nordicPatterns.entries()) {
      const ours = usbSerialPatterns[i]!.board;
      expect(ours.mainPortIndex, nordic.serial_prefix).toBe(nordic.main_port_index);
      if (nordic.name === 'Unknown Nordic Kit') continue; // a newer kit: offered, as Nordic does
      expect(ours.name.startsWith(asFieldclaimName(nordic.name)), `${ours.name} / ${nordic.name}`).toBe(true);
      expect(ours.cellular, nordic.name).toBe(isNrf91(nordic.name));
    }
  });

  // Windows lists are read twice: as serialport 13 reports a composite device (the instance id in
  // place of the serial number) and with the serial number intact (pyserial; a fixed serialport).
  const cases: Array<[string, NordicPortList, boolean]> = Object.entries(lists).flatMap(
    ([name, list]): Array<[string, NordicPortList, boolean]> =>
      platformOfList(name) === 'windows'
        ? [
            [`${name}, serial numbers lost`, list, false],
            [`${name}, serial numbers intact`, list, true],
          ]
        : [[name, list, true]],
  );

  it('reads all 7 port lists', () => expect(Object.keys(lists)).toHaveLength(7));

  it.each(cases)(
    '%s: every console is a port Nordic picks, every nRF91 board Nordic finds is a console',
    (name, list, serialIntact) => {
      const platform = platformOfList(name);
      const marked = pickConsolePorts(
        list.ports.map((p) => toRawPort(asSerialportListing(p, platform, { serialIntact }))),
      );
      const consoles = marked.filter((p) => p.console).map((p) => p.path);
      const nordicPicks = list.nordic_main_ports.map((m) => m.device);
      for (const port of consoles) expect(nordicPicks).toContain(port);
      for (const main of list.nordic_main_ports) {
        expect(consoles.includes(main.device), `${main.device} (${main.name})`).toBe(isNrf91(main.name));
      }
      // Every port is named as Nordic names it; ports Nordic only knows by vendor id are J-Links here.
      for (const [device, nordicName] of Object.entries(list.nordic_product_names)) {
        const ours = marked.find((p) => p.path === device)?.board ?? null;
        if (nordicName === '') expect(ours, device).toBeNull();
        else if (nordicName.startsWith('VID:PID=1366'))
          expect(ours, device).toMatch(/J-Link, not a Nordic kit/);
        else expect(ours, device).toMatch(new RegExp(`^${asFieldclaimName(nordicName)}`));
      }
    },
  );
});

describe('choosing a board by its USB serial number', () => {
  const listing = [
    {
      path: '/dev/ttyACM0',
      serialNumber: '001051202135',
      vendorId: '1366',
      productId: '1069',
      interfaceNumber: 0,
    },
    {
      path: '/dev/ttyACM1',
      serialNumber: '001051202135',
      vendorId: '1366',
      productId: '1069',
      interfaceNumber: 2,
    },
    {
      path: '/dev/ttyACM2',
      serialNumber: '001050760093',
      vendorId: '1366',
      productId: '1051',
      interfaceNumber: 0,
    },
    {
      path: '/dev/ttyACM3',
      serialNumber: '001050760093',
      vendorId: '1366',
      productId: '1051',
      interfaceNumber: 2,
    },
    {
      path: '/dev/ttyACM4',
      serialNumber: '000821001234',
      vendorId: '1366',
      productId: '0105',
      interfaceNumber: 0,
    },
  ];
  let app: ReturnType<typeof openTestApp>;
  beforeEach(() => {
    app = openTestApp({ listPorts: async () => listing });
  });
  afterEach(() => app.close());

  it.each([
    ['as on its label', '001051202135'],
    ["as Nordic's tools print it, leading zeros dropped", '1051202135'],
  ])('finds an nRF91 board console, with the serial number %s', async (_how, serial) => {
    expect(await app.app.station.consolePortFor(serial)).toMatchObject({
      path: '/dev/ttyACM0',
      board: 'nRF9151 DK',
      console: true,
    });
  });

  it('refuses a kit that is not an nRF91, and a bare J-Link, naming them', async () => {
    await expect(app.app.station.consolePortFor('001050760093')).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringMatching(/nRF7002 DK, not a cellular board.*no nRF91 modem/),
    });
    await expect(app.app.station.consolePortFor('000821001234')).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringMatching(/J-Link/),
    });
  });

  it('says which boards there are when none has the serial number', async () => {
    await expect(app.app.station.consolePortFor('001051999999')).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(/No board with USB serial number 001051999999.*001051202135 nRF9151 DK/),
    });
    await expect(app.app.station.consolePortFor('  ')).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});
