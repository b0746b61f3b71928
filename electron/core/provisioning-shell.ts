/**
 * The nRF Device provisioning sample's shell (sdk-nrf nrf_provisioning_shell.c): `nrf_provisioning
 * token` and `nrf_provisioning uuid` print their answer on a line of its own, then a blank line and
 * the prompt. No OK ends them, so the answer line itself does; a failure is a line of its own too.
 */

/** A shell command that prints its answer and no final OK. */
export interface ShellQuery<T> {
  command: string;
  /** Returns the value if this line is the answer, undefined for anything else (logs, blank lines). */
  match(line: string): T | undefined;
  describes: string;
}

const wholeToken = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const provisioningTokenQuery: ShellQuery<string> = {
  command: 'nrf_provisioning token',
  match: (line) => (wholeToken.test(line) ? line : undefined),
  describes: 'attestation token',
};

export const provisioningUuidQuery: ShellQuery<string> = {
  command: 'nrf_provisioning uuid',
  match: (line) => (uuid.test(line) ? line.toLowerCase() : undefined),
  describes: 'device UUID',
};

/** `Failed to get token, err -5`: the shell command's own report that the modem would not answer. */
export function shellCommandFailure(query: ShellQuery<unknown>, line: string): string | null {
  const failed = /^Failed to get (?:token|UUID), err (-?\d+)/i.exec(line);
  if (!failed) return null;
  return (
    `\`${query.command}\` failed on the board (err ${failed[1]}): the modem did not give its ${query.describes}; ` +
    'reset the board and read again, and if it persists update the modem firmware (2.0.x or later on nRF91x1)'
  );
}
