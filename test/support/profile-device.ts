import { SerialPort } from 'serialport';
import type { SerialProfile } from './field-data';

export interface ProfileDeviceOptions {
  /** Commands that arrive this soon after the first one go unanswered: a board still booting after the port opened. */
  deafForMs?: number;
  /** Time the firmware takes before each answer. */
  responseDelayMs?: number;
}

/**
 * A board on the device end of a pty pair that answers exactly as a field-data profile describes:
 * an AT host answers without echo (ERROR to what it does not know); a shell echoes the command,
 * prints the answer, then its prompt, and says `<cmd>: command not found` to anything it lacks
 * (`<cmd> unknown parameter: <sub>` to a subcommand of a command it has).
 * With no profile (`'silent'`) it answers nothing: a board that only prints, at boot.
 */
export class ProfileDevice {
  readonly received: string[] = [];
  answered = 0;
  private input = '';
  private firstCommandAt: number | null = null;

  private constructor(
    private readonly port: SerialPort,
    private readonly profile: SerialProfile | 'silent',
    private readonly options: ProfileDeviceOptions,
  ) {
    port.on('data', (chunk: Buffer) => this.onData(chunk.toString('latin1')));
    port.on('error', () => undefined);
  }

  static start(
    devicePath: string,
    profile: SerialProfile | 'silent',
    options: ProfileDeviceOptions = {},
  ): Promise<ProfileDevice> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path: devicePath, baudRate: 115200, autoOpen: false });
      port.open((err) => (err ? reject(err) : resolve(new ProfileDevice(port, profile, options))));
    });
  }

  /** Bytes as the board prints them (a boot log), exactly as given. */
  print(bytes: Buffer | string): void {
    if (this.port.isOpen) this.port.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  private onData(text: string): void {
    this.input += text;
    const parts = this.input.split(/\r\n|\r|\n/);
    this.input = parts.pop() ?? '';
    for (const raw of parts) {
      const command = raw.trim();
      if (command) void this.answer(command);
    }
  }

  private async answer(command: string): Promise<void> {
    this.received.push(command);
    if (this.profile === 'silent') return;
    const now = Date.now();
    this.firstCommandAt ??= now;
    if (now - this.firstCommandAt < (this.options.deafForMs ?? 0)) return;
    if (this.options.responseDelayMs) await new Promise((r) => setTimeout(r, this.options.responseDelayMs));
    this.answered++;
    this.print(this.reply(this.profile, command));
  }

  private reply(profile: SerialProfile, command: string): string {
    const modem = (at: string) => profile.answers[at] ?? profile.answers[at.toUpperCase()] ?? 'ERROR\r\n';
    if (profile.kind === 'at') return modem(command);
    const [word = '', ...rest] = command.split(' ');
    let body: string;
    if (profile.commands?.[command] !== undefined) body = profile.commands[command];
    else if (word === 'at' && !profile.no_at) body = modem(rest.join(' '));
    // A command the shell has, with a subcommand it lacks (Zephyr's SHELL_MSG_UNKNOWN_PARAMETER).
    else if (Object.keys(profile.commands ?? {}).some((c) => c.startsWith(`${word} `)))
      body = `${word} unknown parameter: ${rest[0] ?? ''}\r\n`;
    else body = `${word}: command not found\r\n`;
    return `${command}\r\n${body}${profile.prompt ?? 'uart:~$ '}`;
  }

  close(): Promise<void> {
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}
