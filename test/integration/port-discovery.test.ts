import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pickConsolePorts } from '../../electron/core/boards';
import { listFromById, listFromSysfs } from '../../electron/adapters/serial/port-list';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cliEnv, cliPath, runCli } from '../support/cli';
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
