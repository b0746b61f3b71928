import {
  classifyFinalLine,
  describeAtError,
  stripAnsi,
  type AtErrorContext,
  type AtQuery,
  type FinalLine,
} from '../../core/at-response';
import { shellCommandFailure, type ShellQuery } from '../../core/provisioning-shell';
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

// Zephyr shell prompts: `uart:~$ ` by default, `mosh:~$ ` in the Modem Shell sample, and so on.
const shellPrompt = /^(?:[\w.-]*:~\$\s*)+/;
// A Zephyr shell's answer to a command it lacks, or to a subcommand its command lacks.
const commandNotFound = /command not found|unknown parameter/i;

/** The firmware did not understand the command in this dialect (not a modem error). */
export class WrongDialectError extends CodedError {
  constructor(
    port: string,
    readonly dialect: AtDialect,
    /** The line that said so: a Zephyr shell's `<cmd>: command not found`. */
    readonly line: string,
  ) {
    super(
      'device-error',
      dialect === 'shell'
        ? `${port} runs a Zephyr shell without the \`at\` command (it said "${line}")`
        : `${port} runs a Zephyr shell, not an AT host (it said "${line}"): read it in shell or auto mode`,
    );
  }
}

/** The modem answered ERROR or +CME ERROR: kept whole, so the caller can explain it with what it knows. */
export class AtCommandError extends CodedError {
  constructor(
    readonly query: AtQuery<unknown>,
    readonly final: Extract<FinalLine, { kind: 'error' }>,
  ) {
    super('device-error', describeAtError(query, final));
  }

  /** The same error, explained with what the read knew of the board. */
  explained(context: AtErrorContext): CodedError {
    return new CodedError('device-error', describeAtError(this.query, this.final, context));
  }
}

/** The command ended in OK, but nothing before it was the answer (the IMEI of a board that hides it). */
export class MissingAnswerError extends CodedError {
  constructor(port: string, query: AtQuery<unknown>) {
    super('device-error', `${port} answered OK to ${query.command} without a ${query.describes}`);
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
      if (err instanceof AtCommandError) return this.exchange(query, `at ${query.command.toLowerCase()}`);
      throw err;
    }
  }

  /** Runs a shell command that prints its answer without a final OK: the first answer line ends it. */
  async shell<T>(query: ShellQuery<T>): Promise<T> {
    const deadline = await this.send(query.command);
    for (;;) {
      const line = await this.nextLine(query, query.command, deadline);
      const failure = shellCommandFailure(query, line);
      if (failure) throw new CodedError('device-error', failure);
      const value = query.match(line);
      if (value !== undefined) return value;
    }
  }

  private async exchange<T>(query: AtQuery<T>, sent: string): Promise<T> {
    const deadline = await this.send(sent);
    let value: T | undefined;
    for (;;) {
      const line = await this.nextLine(query, sent, deadline);
      const final = classifyFinalLine(line);
      if (final?.kind === 'ok') {
        if (value === undefined) throw new MissingAnswerError(this.channel.path, query);
        return value;
      }
      if (final?.kind === 'error') throw new AtCommandError(query, final);
      // Anything else is the answer, or noise (unsolicited codes, logs, junk) the query's matcher ignores.
      value = query.match(line) ?? value;
    }
  }

  private async send(text: string): Promise<number> {
    this.channel.discardBuffered();
    await this.channel.write(text + terminators[this.options.lineEnding]);
    return Date.now() + this.options.exchangeTimeoutMs;
  }

  /** The next line that can be an answer: prompt, colour and the command's own echo taken away. */
  private async nextLine(query: { command: string }, sent: string, deadline: number): Promise<string> {
    for (;;) {
      const line = stripAnsi(await this.readLine(query, deadline))
        .trim()
        .replace(shellPrompt, '')
        .trim();
      const upper = line.toUpperCase();
      if (line === '' || upper === sent.toUpperCase() || upper === query.command.toUpperCase()) continue;
      if (commandNotFound.test(line))
        throw new WrongDialectError(this.channel.path, this.options.dialect, line);
      return line;
    }
  }

  private async readLine(query: { command: string }, deadline: number): Promise<string> {
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
