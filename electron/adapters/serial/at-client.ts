import { classifyFinalLine, describeAtError, stripAnsi, type AtQuery } from '../../core/at-response';
import { CodedError } from '../../shared/result';
import type { SerialLineChannel } from './line-channel';

export type LineEnding = 'crlf' | 'cr' | 'lf';
const terminators: Record<LineEnding, string> = { crlf: '\r\n', cr: '\r', lf: '\n' };

/** How the firmware takes AT commands: a raw AT host, or a Zephyr shell's `at` command. */
export type AtDialect = 'at' | 'shell';

export interface AtClientOptions {
  lineEnding: LineEnding;
  /** How long one command may take, from sending it to its final OK/ERROR. */
  exchangeTimeoutMs: number;
  dialect: AtDialect;
}

const shellPrompt = /^(?:uart:~\$\s*)+/;
const commandNotFound = /command not found/i;

/** The firmware did not understand the command in this dialect (not a modem error). */
export class WrongDialectError extends CodedError {
  constructor(port: string, dialect: AtDialect) {
    super(
      'device-error',
      `${port} does not take AT commands ${dialect === 'shell' ? 'through a shell' : 'directly'}`,
    );
  }
}

/** Sends AT commands to an nRF91 and picks each answer out of whatever else it prints. */
export class AtClient {
  constructor(
    private readonly channel: SerialLineChannel,
    private readonly options: AtClientOptions,
  ) {}

  async query<T>(query: AtQuery<T>): Promise<T> {
    if (this.options.dialect === 'at') return this.exchange(query, query.command);
    try {
      return await this.exchange(query, `at ${query.command}`);
    } catch (err) {
      // Some shell builds take the command in lower case (`at at%attesttoken`).
      if (err instanceof CodedError && err.code === 'device-error' && !(err instanceof WrongDialectError)) {
        return this.exchange(query, `at ${query.command.toLowerCase()}`);
      }
      throw err;
    }
  }

  private async exchange<T>(query: AtQuery<T>, sent: string): Promise<T> {
    this.channel.discardBuffered();
    await this.channel.write(sent + terminators[this.options.lineEnding]);
    const deadline = Date.now() + this.options.exchangeTimeoutMs;
    let value: T | undefined;
    for (;;) {
      const line = stripAnsi(await this.readLine(query, deadline))
        .trim()
        .replace(shellPrompt, '')
        .trim();
      if (line === '' || line.toUpperCase() === sent.toUpperCase() || line.toUpperCase() === query.command)
        continue;
      if (commandNotFound.test(line)) throw new WrongDialectError(this.channel.path, this.options.dialect);
      const final = classifyFinalLine(line);
      if (final?.kind === 'ok') {
        if (value === undefined) {
          throw new CodedError(
            'device-error',
            `${this.channel.path} answered OK to ${query.command} without a ${query.describes}`,
          );
        }
        return value;
      }
      if (final?.kind === 'error') throw new CodedError('device-error', describeAtError(query, final));
      // Anything else is the answer, or noise (unsolicited codes, logs, junk) the query's matcher ignores.
      value = query.match(line) ?? value;
    }
  }

  private async readLine(query: AtQuery<unknown>, deadline: number): Promise<string> {
    try {
      return await this.channel.readLine(deadline);
    } catch (err) {
      if (err instanceof CodedError && err.code === 'device-no-answer') {
        throw new CodedError(
          'device-no-answer',
          `No answer to ${query.command} from ${this.channel.path} within ${this.options.exchangeTimeoutMs} ms: ` +
            'check that the board runs firmware with an AT host or shell, the baud rate and the line ending, or reset the board',
        );
      }
      throw err;
    }
  }
}
