import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Two connected virtual serial ports: the app opens `appPath`, a simulator opens `devicePath`. */
export interface PtyPair {
  appPath: string;
  devicePath: string;
  close(): Promise<void>;
}

export async function openPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldclaim-pty-'));
  const appPath = join(dir, 'ttyApp');
  const devicePath = join(dir, 'ttyDevice');
  // raw,echo=0 on both ends: otherwise the line discipline echoes and rewrites our bytes.
  const socat: ChildProcess = spawn(
    'socat',
    [`pty,raw,echo=0,link=${appPath}`, `pty,raw,echo=0,link=${devicePath}`],
    {
      stdio: 'ignore',
    },
  );
  let exited = false;
  socat.on('exit', () => (exited = true));
  for (let i = 0; i < 500 && !(existsSync(appPath) && existsSync(devicePath)); i++) {
    if (exited) throw new Error('socat exited before creating the pty pair (is socat installed?)');
    await sleep(10);
  }
  if (!existsSync(appPath) || !existsSync(devicePath))
    throw new Error('socat did not create the pty pair in 5 s');
  return {
    appPath,
    devicePath,
    async close() {
      if (!exited) {
        const gone = new Promise((resolve) => socat.once('exit', resolve));
        socat.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
