import { existsSync } from 'node:fs';
import type { SerialPort } from 'serialport';
import { CodedError } from '../../shared/result';

export interface SerialOptions {
  baudRate: number;
  rtscts: boolean;
}

export const defaultSerialOptions: SerialOptions = { baudRate: 115200, rtscts: false };

/** A device that streams without newlines must not grow memory without limit. */
const MAX_LINE_CHARS = 16 * 1024;
/** How often a waiting read checks that the port still exists (an unplugged board's node vanishes). */
const PRESENCE_CHECK_MS = 200;

const unpluggedError = (path: string) =>
  new CodedError(
    'port-unavailable',
    `${path} was closed or unplugged during the read: plug the board in again and read it again`,
  );

type Waiter = { resolve: (line: string) => void; reject: (err: Error) => void };

function describeOpenError(path: string, err: Error & { code?: string }): CodedError {
  const text = err.message;
  if (/permission denied|EACCES/i.test(text)) {
    return new CodedError(
      'port-unavailable',
      `Permission denied on ${path}: add your user to the dialout group (sudo usermod -aG dialout $USER), then log in again`,
    );
  }
  if (/lock|busy|EBUSY/i.test(text)) {
    return new CodedError(
      'port-unavailable',
      `${path} is busy: another program (a serial terminal, nRF Connect) has it open; close it and try again`,
    );
  }
  if (/no such file|ENOENT/i.test(text)) {
    return new CodedError('port-unavailable', `${path} does not exist: check the cable and the port name`);
  }
  return new CodedError('port-unavailable', `Could not open ${path}: ${text}`);
}

/**
 * A serial port seen as lines of text. Lines end at CR, LF or CRLF; a half line is kept until
 * its end arrives. Reading has a deadline; closing or unplugging fails any pending read.
 */
export class SerialLineChannel {
  private pending = '';
  private readonly lines: string[] = [];
  private waiter: Waiter | null = null;
  private closedError: Error | null = null;
  private readonly taps = new Set<(line: string) => void>();

  private constructor(
    readonly path: string,
    private readonly port: SerialPort,
  ) {
    port.on('data', (chunk: Buffer) => this.accept(chunk.toString('latin1')));
    port.on('close', () => this.fail(unpluggedError(path)));
    port.on('error', (err: Error) =>
      this.fail(new CodedError('port-unavailable', `${path}: ${err.message}`)),
    );
  }

  static async open(path: string, options: SerialOptions): Promise<SerialLineChannel> {
    // Loaded when a port is opened: commands that read no board start without the native module.
    const { SerialPort } = await import('serialport');
    return new Promise((resolve, reject) => {
      const port = new SerialPort({
        path,
        baudRate: options.baudRate,
        rtscts: options.rtscts,
        dataBits: 8,
        parity: 'none',
        stopBits: 1,
        autoOpen: false,
      });
      port.open((err) =>
        err ? reject(describeOpenError(path, err)) : resolve(new SerialLineChannel(path, port)),
      );
    });
  }

  private accept(text: string): void {
    this.pending += text;
    const parts = this.pending.split(/\r\n|\r|\n/);
    this.pending = parts.pop() ?? '';
    if (this.pending.length > MAX_LINE_CHARS) this.pending = this.pending.slice(-MAX_LINE_CHARS);
    for (const part of parts) {
      const line = part.length > MAX_LINE_CHARS ? part.slice(-MAX_LINE_CHARS) : part;
      this.lines.push(line);
      for (const tap of this.taps) tap(line);
    }
    this.deliver();
  }

  private deliver(): void {
    if (!this.waiter) return;
    const line = this.lines.shift();
    if (line !== undefined) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(line);
    } else if (this.closedError) {
      const { reject } = this.waiter;
      this.waiter = null;
      reject(this.closedError);
    }
  }

  private fail(err: Error): void {
    this.closedError ??= err;
    this.deliver();
  }

  /** Resolves with the next whole line, or rejects at the deadline (ms since epoch) or on close. */
  readLine(deadline: number): Promise<string> {
    if (this.waiter) return Promise.reject(new Error('only one reader at a time'));
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          clearInterval(presence);
          this.waiter = null;
          reject(new CodedError('device-no-answer', `No answer from ${this.path} before the deadline`));
        },
        Math.max(0, deadline - Date.now()),
      );
      // Not every driver tells a waiting reader about a hang-up (ptys do not); a vanished device
      // node is certain, and that is what unplugging a USB board does.
      const presence = setInterval(() => {
        if (!existsSync(this.path)) this.fail(unpluggedError(this.path));
      }, PRESENCE_CHECK_MS);
      const settle = () => {
        clearTimeout(timer);
        clearInterval(presence);
      };
      this.waiter = {
        resolve: (line) => {
          settle();
          resolve(line);
        },
        reject: (err) => {
          settle();
          reject(err);
        },
      };
      this.deliver();
    });
  }

  /**
   * Shows `listener` every line as it arrives, including lines a reader later discards or skips:
   * a token printed at boot while commands are being tried is not lost. Returns the way to stop.
   */
  tap(listener: (line: string) => void): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  /** Drops whatever arrived before now (boot logs, an earlier command's tail). */
  discardBuffered(): void {
    this.lines.length = 0;
    this.pending = '';
  }

  write(text: string): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    // An unplugged board fails the write or, as often, the drain after it ("Input/output error").
    const failure = (err: Error) =>
      /EIO|ENXIO|ENODEV|Input\/output error/.test(err.message)
        ? unpluggedError(this.path)
        : new CodedError('port-unavailable', `${this.path}: ${err.message}`);
    return new Promise((resolve, reject) => {
      this.port.write(text, 'latin1', (err) => {
        if (err) return reject(failure(err));
        this.port.drain((drainErr) => (drainErr ? reject(failure(drainErr)) : resolve()));
      });
    });
  }

  close(): Promise<void> {
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}
