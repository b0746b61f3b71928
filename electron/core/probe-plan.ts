/**
 * How long auto mode waits for each try of a dialect. A board answers within tens of milliseconds
 * once it runs, but one that has just been reset (opening a port can reset it) needs a second or two
 * first: each dialect is tried three times, waiting longer each time, as Nordic's tools retry each
 * dialect three times (2 s each). The tries of one dialect together take no longer than the read's
 * own deadline, so a short deadline keeps a silent board's read short too.
 */
export const PROBE_WAITS_MS: readonly number[] = [500, 1_000, 2_000];

/** No try waits less than this: a board's answer takes a few round trips through USB and the OS. */
const MIN_PROBE_WAIT_MS = 200;

export function probeWaits(deadlineMs: number): number[] {
  const total = PROBE_WAITS_MS.reduce((sum, w) => sum + w, 0);
  const scale = Math.min(1, deadlineMs / total);
  return PROBE_WAITS_MS.map((w) => Math.max(MIN_PROBE_WAIT_MS, Math.round(w * scale)));
}

/**
 * How long a read may take before it gives up on a board that never answers: what the station's
 * tile counts down against. Auto mode tries a shell, then a bare AT host (each with its probe
 * waits), then listens for a token printed at boot; every other mode gives up after one deadline.
 */
export function readDeadlineMs(mode: 'auto' | 'at' | 'shell' | 'passive', deadlineMs: number): number {
  if (mode !== 'auto') return deadlineMs;
  const probes = probeWaits(deadlineMs).reduce((sum, w) => sum + w, 0);
  return 2 * probes + deadlineMs;
}
