import {
  appendFileSync,
  chmodSync,
  closeSync,
  openSync,
  readSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { redactForLog } from '../../core/redact';
import { tryParseJson } from '../../core/json';

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEntry {
  at: string;
  level: LogLevel;
  /** What the line is about: a contract call ("readPort"), "sync", "auto sync", "import", "cli". */
  area: string;
  message: string;
}

export interface DiagnosticsLogOptions {
  /** A file is rotated once it reaches this size. */
  maxBytes: number;
  /** Files kept, the current one included. */
  files: number;
}

const LOG_NAME = 'fieldclaim.log';

/**
 * The diagnostics log: JSON lines in the data folder, rotated by size, with keys and whole tokens
 * taken out before anything is written.
 *
 * Written synchronously, a line at a time, rather than through a rotating stream library
 * (rotating-file-stream, pino-roll): those buffer and rotate asynchronously, so the lines written
 * just before a crash or a CLI's exit (the ones support needs) could be lost. Appending and
 * renaming are all this needs.
 */
export class DiagnosticsLog {
  private readonly secrets = new Set<string>();
  /** Whether this process has looked for a line a crashed one left half-written. */
  private tailChecked = false;

  constructor(
    private readonly dir: string,
    private readonly options: DiagnosticsLogOptions = { maxBytes: 512 * 1024, files: 3 },
  ) {}

  /** A value never to be written (an API key, once the app has seen it). */
  addSecret(value: string | null): void {
    if (value) this.secrets.add(value);
  }

  /** Text that leaves the app for support (a saved report): without any key or whole token. */
  redact(text: string): string {
    return redactForLog(text, this.secrets);
  }

  info(area: string, message: string): void {
    this.write('info', area, message);
  }

  warn(area: string, message: string): void {
    this.write('warn', area, message);
  }

  error(area: string, message: string): void {
    this.write('error', area, message);
  }

  /** The newest entries, oldest first, across the rotated files. */
  recent(limit: number): LogEntry[] {
    const entries: LogEntry[] = [];
    for (let i = this.options.files - 1; i >= 0; i--) {
      const file = this.file(i);
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const entry = tryParseJson(line) as LogEntry | undefined;
        if (entry && typeof entry.message === 'string') entries.push(entry);
      }
    }
    return entries.slice(-limit);
  }

  private write(level: LogLevel, area: string, message: string): void {
    const entry: LogEntry = {
      at: new Date().toISOString(),
      level,
      area: redactForLog(area, this.secrets),
      message: redactForLog(message, this.secrets),
    };
    try {
      appendFileSync(this.file(0), `${this.prepareFile()}${JSON.stringify(entry)}\n`, { mode: 0o600 });
    } catch (err) {
      // A log that cannot be written must not stop a claim; say so where a developer will see it.
      console.error('fieldclaim: could not write the diagnostics log:', (err as Error).message);
    }
  }

  /**
   * Makes room for the next line (one stat per line): creates the folder, or rotates a full file.
   * Returns a newline to end a line a crashed process left half-written (looked for once per process).
   */
  private prepareFile(): string {
    const current = this.file(0);
    const size = existsSync(current) ? statSync(current).size : null;
    if (size === null) {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      if (process.platform !== 'win32') chmodSync(this.dir, 0o700);
      return '';
    }
    if (size >= this.options.maxBytes) {
      rmSync(this.file(this.options.files - 1), { force: true });
      for (let i = this.options.files - 2; i >= 0; i--) {
        if (existsSync(this.file(i))) renameSync(this.file(i), this.file(i + 1));
      }
      return '';
    }
    if (this.tailChecked || size === 0) return '';
    this.tailChecked = true;
    const last = Buffer.alloc(1);
    const fd = openSync(current, 'r');
    try {
      readSync(fd, last, 0, 1, size - 1);
    } finally {
      closeSync(fd);
    }
    return last[0] === 0x0a ? '' : '\n';
  }

  private file(index: number): string {
    return join(this.dir, index === 0 ? LOG_NAME : `${LOG_NAME}.${index}`);
  }
}
