import {
  classifyFinalLine,
  describeAtError,
  isUnsolicited,
  stripAnsi,
  type AtQuery,
} from '../../core/at-response';
import { CodedError } from '../../shared/result';
import type { SerialLineChannel } from './line-channel';

export type LineEnding = 'crlf' | 'cr' | 'lf';
const terminators: Record<LineEnding, string> = { crlf: '\r\n', cr: '\r', lf: '\n' };

export interface AtClientOptions {
  lineEnding: LineEnding;
  /** How long one command may take, from sending it to its final OK/ERROR. */
  exchangeTimeoutMs: number;
}

/** Sends AT commands to an nRF91's AT host and picks each answer out of whatever else it prints. */
export class AtClient {
  constructor(
    private readonly channel: SerialLineChannel,
    private readonly options: AtClientOptions,
  ) {}

  async query<T>(query: AtQuery<T>): Promise<T> {
    this.channel.discardBuffered();
    await this.channel.write(query.command + terminators[this.options.lineEnding]);
    const deadline = Date.now() + this.options.exchangeTimeoutMs;
    let value: T | undefined;
    for (;;) {
      let raw: string;
      try {
        raw = await this.channel.readLine(deadline);
      } catch (err) {
        if (err instanceof CodedError && err.code === 'device-no-answer') {
          throw new CodedError(
            'device-no-answer',
            `No answer to ${query.command} from ${this.channel.path} within ${this.options.exchangeTimeoutMs} ms: ` +
              'check that the board runs AT-host firmware, the baud rate and the line ending, or reset the board',
          );
        }
        throw err;
      }
      const line = stripAnsi(raw).trim();
      if (line === '' || line.toUpperCase() === query.command.toUpperCase()) continue;
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
      if (value === undefined) value = query.match(line);
      else if (isUnsolicited(line)) continue;
    }
  }
}
