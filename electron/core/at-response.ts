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

/** Why a modem refused a command, and what the technician can do about it. */
interface CmeMeaning {
  /** `running` names the modem firmware where it is known, for the codes that blame it. */
  what: (command: string, running: string) => string;
  todo: string;
}

const updateModemFirmware =
  'update the modem firmware to 1.3.x or later (nRF9160) or 2.0.x or later (nRF91x1), e.g. with nRF Connect Programmer, then read again';
const resetAndRetry = 'reset the board and read again';
const couldNotComplete: CmeMeaning = {
  what: (c) => `the modem could not complete ${c}`,
  todo: `${resetAndRetry}; if it persists, ${updateModemFirmware}`,
};
const unsupported = (command: string, running: string) =>
  `${command} is not supported by this modem firmware${running}`;

/**
 * +CME ERROR codes an nRF91 gives its security commands (%ATTESTTOKEN, %KEYGEN, %CMNG), after
 * nrfcredstore's ERR_CODE_TO_MSG and Nordic's AT command reference, in words that say what to do.
 */
const cmeMeanings: Record<number, CmeMeaning> = {
  0: { what: unsupported, todo: updateModemFirmware },
  3: {
    what: (c) => `the modem does not allow ${c} now`,
    todo: `${resetAndRetry}; if it persists, flash firmware with an AT host (e.g. the AT Client sample)`,
  },
  4: { what: unsupported, todo: updateModemFirmware },
  50: {
    what: (c) => `the modem did not understand ${c} as it arrived`,
    todo: 'check the line ending setting (CRLF, CR or LF) and read again',
  },
  51: {
    what: (c, running) => `${c} is disabled in this modem firmware build${running}`,
    todo: updateModemFirmware,
  },
  513: {
    what: (c) => `the modem did not find a key that ${c} needs (not found)`,
    todo: `${resetAndRetry}; if it persists, the modem's identity key may be missing: contact Nordic support with the IMEI`,
  },
  514: {
    what: (c) => `the modem does not allow ${c} now (not allowed)`,
    todo: `${resetAndRetry}; if it persists, the application may hold the modem's security commands: flash firmware with an AT host (e.g. the AT Client sample)`,
  },
  515: {
    what: () => "the modem's credential storage is full (memory full)",
    todo: 'delete credentials no longer used (AT%CMNG=3,<sec_tag>,<type>), then read again',
  },
  518: {
    what: (c) => `${c} is not allowed while the modem is active`,
    todo: 'put the modem offline with AT+CFUN=4, then read again',
  },
  519: {
    what: () => 'the modem already holds a credential of that kind (already exists)',
    todo: 'delete it with AT%CMNG=3,<sec_tag>,<type> or use another security tag',
  },
  520: couldNotComplete,
  521: couldNotComplete,
  522: couldNotComplete,
  523: {
    what: () => 'the modem could not generate the key (key generation failed)',
    todo: `${resetAndRetry}; if it persists, contact Nordic support with the IMEI`,
  },
  524: couldNotComplete,
  528: {
    what: (c) => `${c} is not allowed while the modem's power-off warning is active (supply voltage too low)`,
    todo: 'power the board properly (a charged battery, or USB), reset it and read again',
  },
};

/** What the read knew of the board when the command failed. */
export interface AtErrorContext {
  firmware?: string | null;
}

/** Explains a failed command in words a technician can act on. */
export function describeAtError(
  query: AtQuery<unknown>,
  final: Extract<FinalLine, { kind: 'error' }>,
  context: AtErrorContext = {},
): string {
  const running = context.firmware ? ` (it runs ${context.firmware})` : '';
  // A bare ERROR to %ATTESTTOKEN, which takes no parameters, is a modem that does not know it.
  const code = final.cmeCode ?? (query === attestTokenQuery ? 0 : undefined);
  const meaning = code === undefined ? undefined : cmeMeanings[code];
  if (!meaning) return `the device answered ${final.line} to ${query.command}: ${resetAndRetry}`;
  const said = final.cmeCode === undefined ? final.line : `+CME ERROR ${final.cmeCode}`;
  return `${meaning.what(query.command, running)} (${said}): ${meaning.todo}`;
}
