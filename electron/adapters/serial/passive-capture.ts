import { BootTokenScanner } from '../../core/boot-token';
import type { AttestationToken } from '../../core/token';
import { CodedError } from '../../shared/result';
import type { SerialLineChannel } from './line-channel';

/** Listens for the token an unclaimed device prints at boot, until the deadline. */
export async function captureBootToken(
  channel: SerialLineChannel,
  deadline: number,
): Promise<AttestationToken> {
  const scanner = new BootTokenScanner();
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
    const token = scanner.feed(line);
    if (token) return token;
  }
}
