import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The Electron binary, if it is installed. Found without `require('electron')`, which would try to
 * download it (these machines have no route to its host; on GitHub CI it is installed first).
 */
export function electronBinary(): string | null {
  const dir = resolve(__dirname, '../../node_modules/electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const executable = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(executable) ? executable : null;
}

export const noElectronReason =
  'no Electron binary here (it cannot be downloaded on this machine): the real app is started by these tests on GitHub CI';
