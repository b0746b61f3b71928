/**
 * Pure rules for reading an nRF91 AT host's replies: which line ends a response, and which lines
 * are noise (echo, unsolicited result codes, application logs) that must not be mistaken for one.
 */

export type FinalLine = { kind: 'ok' } | { kind: 'error'; cmeCode?: number; line: string };

// ANSI escape sequences (colour, cursor) as Zephyr shells emit them.
// eslint-disable-next-line no-control-regex
const ansiPattern = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(line: string): string {
  return line.replace(ansiPattern, '');
}

/** OK / ERROR are matched as whole trimmed lines: a token may contain the letters "OK". */
export function classifyFinalLine(rawLine: string): FinalLine | null {
  const line = rawLine.trim();
  if (line === 'OK') return { kind: 'ok' };
  if (line === 'ERROR') return { kind: 'error', line };
  const cme = /^\+CM[ES] ERROR:\s*(\d+)$/.exec(line);
  if (cme) return { kind: 'error', cmeCode: Number(cme[1]), line };
  return null;
}

const logLinePattern = /^\[[\d:.,\s]+\]|<(inf|wrn|err|dbg)>/;

/** Lines that can arrive at any time and belong to no command. */
export function isUnsolicited(line: string): boolean {
  return /^[+%#][A-Z]+:/.test(line) || logLinePattern.test(line);
}

/** What a command's answer looks like, so unrelated lines in between are ignored. */
export interface AtQuery<T> {
  command: string;
  /**
   * Returns the value if this line can be the answer, undefined otherwise. The last such line
   * before OK wins: the answer stands right before OK, junk from before the command does not.
   */
  match(line: string): T | undefined;
  /** What the value is, in words, for errors. */
  describes: string;
}

const quoted = (prefix: string) => (line: string) => {
  const m = new RegExp(`^${prefix}:\\s*"([^"]*)"`).exec(line);
  return m?.[1];
};

export const attestTokenQuery: AtQuery<string> = {
  command: 'AT%ATTESTTOKEN',
  match: quoted('%ATTESTTOKEN'),
  describes: 'attestation token',
};

export const imeiQuery: AtQuery<string> = {
  command: 'AT+CGSN',
  match: (line) => /^(?:\+CGSN:\s*"?)?(\d{15})"?$/.exec(line)?.[1],
  describes: 'IMEI',
};

// Model and firmware answers are bare lines of printable text that is not a known unsolicited shape.
const printable = /^[\x20-\x7e]+$/;
const bareLine = (line: string) => (printable.test(line) && !isUnsolicited(line) ? line : undefined);

export const modelQuery: AtQuery<string> = { command: 'AT+CGMM', match: bareLine, describes: 'model' };
export const firmwareQuery: AtQuery<string> = {
  command: 'AT+CGMR',
  match: bareLine,
  describes: 'modem firmware',
};

/** Explains a failed command in words a technician can act on. */
export function describeAtError(
  query: AtQuery<unknown>,
  final: Extract<FinalLine, { kind: 'error' }>,
): string {
  if (final.cmeCode === 0 || (final.cmeCode === undefined && query === attestTokenQuery)) {
    return `${query.command} is not supported by this modem firmware: update it to 1.3.x (nRF9160) or 2.0.x or later (nRF91x1)`;
  }
  if (final.cmeCode === 514) return `${query.command} is not allowed by the modem right now (+CME ERROR 514)`;
  return `the device answered ${final.line} to ${query.command}`;
}
