import { stripAnsi } from './at-response';
import { decodeAttestationToken, type AttestationToken } from './token';
import { findTokenCandidate } from './token-search';

/** Log prefixes Zephyr and nRF Connect SDK applications put before a message. */
const logPrefix = /^(?:\[[\d:.,\s]+\]\s*)?(?:<(?:inf|wrn|err|dbg)>\s*[\w.-]+:\s*|[IWED]:\s*)?/;
const tokenChars = /[A-Za-z0-9_.-]+/g;

const BEGIN = '----- BEGIN ATTESTATION TOKEN -----';
const END = '----- END ATTESTATION TOKEN -----';
const SDK_HEADER = 'Attestation token for claiming device on nRFCloud:';
const MAX_BLOCK_LINES = 64;

function decodes(candidate: string): AttestationToken | null {
  try {
    return decodeAttestationToken(candidate);
  } catch {
    return null;
  }
}

/**
 * Watches what a device prints at boot for its attestation token, in the shapes Nordic firmware
 * uses: the SDK provisioning library (header line, token on the next line), the Asset Tracker
 * Template (between BEGIN/END markers, possibly split over log lines), the Serial Modem
 * application (#XNRFPROV, token in a log line). Any line carrying a candidate that decodes counts.
 */
export class BootTokenScanner {
  private inBlock = false;
  private block: string[] = [];

  /** Feeds one line; returns the token once one that decodes has been seen. */
  feed(rawLine: string): AttestationToken | null {
    const line = stripAnsi(rawLine).trim();
    if (line.includes(BEGIN)) {
      this.inBlock = true;
      this.block = [line.slice(line.indexOf(BEGIN) + BEGIN.length)];
      return null;
    }
    if (this.inBlock) {
      if (line.includes(END)) {
        this.inBlock = false;
        this.block.push(line.slice(0, line.indexOf(END)));
        const joined = this.block
          .map((l) => (l.replace(logPrefix, '').match(tokenChars) ?? []).join(''))
          .join('');
        this.block = [];
        return decodes(joined);
      }
      this.block.push(line);
      if (this.block.length > MAX_BLOCK_LINES) this.inBlock = false; // an END that never came
      return null;
    }
    if (line.includes(SDK_HEADER)) return null; // the token follows on its own line
    const candidate = findTokenCandidate(line.replace(logPrefix, ''));
    return candidate ? decodes(candidate) : null;
  }
}
