import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { tryParseJson } from '../../electron/core/json';

export const cliPath = resolve(__dirname, '../../out/main/cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: unknown;
}

function requireBuiltCli(): void {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first`);
}

/** Environment for a CLI child: no Secret Service unless the caller passes one. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/fieldclaim-test-bus',
    ...extra,
  };
}

/** Starts the built CLI without waiting for it: for tests that kill it mid-run. */
export function startCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  requireBuiltCli();
  return spawn(process.execPath, [cliPath, ...args], { env: cliEnv(env), stdio: 'ignore' });
}

/**
 * Runs the built CLI as a user would. No Secret Service is reachable unless the caller passes
 * one: a stray key in the developer's own keychain must not change a test's outcome.
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; stdin?: string; asUser?: string } = {},
): Promise<CliRun> {
  requireBuiltCli();
  // As another user (runuser; the tests run as root): for what only an unprivileged user meets.
  const [command, commandArgs] = options.asUser
    ? ['runuser', ['-u', options.asUser, '--', process.execPath, cliPath, ...args]]
    : [process.execPath, [cliPath, ...args]];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, commandArgs, {
      env: cliEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr, json: tryParseJson(stdout) }));
    child.stdin.end(options.stdin ?? '');
  });
}

const shellQuote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the built CLI on a terminal (a pty from util-linux's `script`), for what it shows only
 * there: progress on stderr. Returns everything the terminal showed.
 */
export async function runCliOnTerminal(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; screen: string }> {
  requireBuiltCli();
  const command = [process.execPath, cliPath, ...args].map(shellQuote).join(' ');
  return new Promise((resolvePromise, reject) => {
    const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let screen = '';
    child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, screen }));
  });
}
