import { BootTokenScanner } from '../../core/boot-token';
import type { AttestationToken } from '../../core/token';
import { CodedError } from '../../shared/result';
import type { SerialLineChannel } from './line-channel';

/** Looks at each line for a token; returns it once one has been seen. */
export type TokenSpotter = (line: string) => AttestationToken | null;

/**
 * Listens for the token an unclaimed device prints at boot, until the deadline. `spot` defaults to
 * a fresh scanner; a caller already watching the port (auto mode taps every line while it probes)
 * passes its own, so a token that started printing during the probes is not missed.
 */
export async function captureBootToken(
  channel: SerialLineChannel,
  deadline: number,
  spot: TokenSpotter = scannerSpotter(),
): Promise<AttestationToken> {
  for (;;) {
    let line: string;
    try {
      line = await channel.readLine(deadline);
    } catch (err) {
      if (err instanceof CodedError && err.code === 'device-no-answer') {
        throw new CodedError(
          'device-no-answer',
          `No attestation token came from ${channel.path}: press the board's reset button while Fieldclaim listens ` +
            '(unclaimed devices print their token at boot), or check the baud rate',
        );
      }
      throw err;
    }
    const token = spot(line);
    if (token) return token;
  }
}

export function scannerSpotter(): TokenSpotter {
  const scanner = new BootTokenScanner();
  return (line) => scanner.feed(line);
}
