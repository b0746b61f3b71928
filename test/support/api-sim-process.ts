import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { ApiSimulator } from './api-sim';
import { makeToken } from './tokens';

/**
 * The API simulator in a process of its own, as a real server would be: for benchmarks, where a
 * simulator sharing the client's thread would blur the client's own cost.
 * Run as a script: `tsx api-sim-process.ts KEY LATENCY_MS` prints the base URL, stops on stdin end.
 */
export async function startSimulatorProcess(
  key: string,
  latencyMs: number,
  claimedDevices = 0,
): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  const tsx = resolve(__dirname, '../../node_modules/.bin/tsx');
  const child: ChildProcess = spawn(tsx, [__filename, key, String(latencyMs), String(claimedDevices)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return {
    baseUrl: line.toString().trim(),
    async stop() {
      const exited = once(child, 'exit');
      child.stdin!.end();
      await exited;
    },
  };
}

async function serve(key: string, latencyMs: number, claimedDevices: number): Promise<void> {
  const sim = await new ApiSimulator().start();
  sim.addKey(key);
  // Devices the team claimed earlier, for pull benchmarks.
  for (let i = 0; i < claimedDevices; i++) sim.preclaim(makeToken().token, 'team-1');
  sim.latencyMs = latencyMs;
  process.stdout.write(`${sim.baseUrl}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void sim.stop().then(() => process.exit(0)));
}

if (require.main === module) {
  void serve(process.argv[2] ?? 'key', Number(process.argv[3] ?? 0), Number(process.argv[4] ?? 0));
}
