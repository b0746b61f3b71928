import { SerialPort } from 'serialport';
import { makeToken } from './tokens';

/** What the board's firmware speaks. */
export type SimDialect =
  | 'at' // a raw AT host (Serial Modem, AT client samples)
  | 'shell' // a Zephyr shell with an `at` command (Asset Tracker Template, Multi-service sample)
  | 'shell-lowercase' // a shell build that takes only `at at%...` in lower case
  | 'shell-no-at' // a shell without the `at` command
  | 'passive'; // answers nothing; prints its token at boot

export type BootFormat = 'sdk' | 'att' | 'slm';

/** How the simulated board behaves; every field can be set per test. */
export interface ModemConfig {
  deviceId: string;
  deviceType: number;
  imei: string;
  model: string;
  firmware: string;
  dialect: SimDialect;
  /** The terminator the firmware needs to see before it acts on a command. */
  terminator: 'any' | 'cr' | 'lf' | 'crlf';
  /** The AT host echoes each command back before answering (ATE1). Shells always echo. */
  echo: boolean;
  /** Shell output carries ANSI colour escapes. */
  ansi: boolean;
  /** Unsolicited result codes and log lines are printed between a command and its answer. */
  noise: boolean;
  /** Garbage bytes and a partial line before every answer (a noisy cable, a baud mismatch at boot). */
  garbage: boolean;
  /** Time the firmware takes before answering each command. */
  responseDelayMs: number;
  /** Older modem firmware without %ATTESTTOKEN answers ERROR (or +CME ERROR 0 after AT+CMEE=1). */
  attestTokenSupported: boolean;
  /** Says nothing at all. */
  silent: boolean;
  /** For 'passive': how the boot log shows the token. */
  bootFormat: BootFormat;
  /** For 'passive': the boot log repeats at this interval (a board in a boot loop), so a listener that opens late still sees one. */
  bootRepeatMs: number;
  /** The board is unplugged half way through its answer to this command. */
  unplugDuring: string | null;
  /** Errors come as +CME ERROR: <n> (as after AT+CMEE=1) instead of a bare ERROR. */
  numberedErrors: boolean;
}

export const defaultModemConfig = (): ModemConfig => ({
  deviceId: makeToken().deviceId,
  deviceType: 6,
  imei: '351358815178345',
  model: 'nRF9151-LACA',
  firmware: 'mfw_nrf91x1_2.0.2',
  dialect: 'at',
  terminator: 'any',
  echo: false,
  ansi: false,
  noise: false,
  garbage: false,
  responseDelayMs: 0,
  attestTokenSupported: true,
  silent: false,
  bootFormat: 'sdk',
  bootRepeatMs: 150,
  unplugDuring: null,
  numberedErrors: false,
});

const PROMPT = 'uart:~$ ';
const terminatorPatterns: Record<ModemConfig['terminator'], RegExp> = {
  any: /\r\n|\r|\n/,
  cr: /\r/,
  lf: /\n/,
  crlf: /\r\n/,
};

/**
 * An nRF91 on the device end of a pty pair, answering the way its firmware does: CRLF line
 * endings, a blank line before the answer, OK/ERROR last, and a fresh nonce (so a different
 * token) on every %ATTESTTOKEN.
 */
export class ModemSimulator {
  readonly config: ModemConfig;
  readonly received: string[] = [];
  tokensIssued = 0;
  /** Called when the config says to unplug: the test closes the pty pair. */
  onUnplug: () => void = () => undefined;
  private cmee = false;
  private input = '';
  private bootTimer: ReturnType<typeof setInterval> | null = null;

  private constructor(
    private readonly port: SerialPort,
    config: Partial<ModemConfig>,
  ) {
    this.config = { ...defaultModemConfig(), ...config };
    this.cmee = this.config.numberedErrors;
    port.on('data', (chunk: Buffer) => this.onData(chunk.toString('latin1')));
    port.on('error', () => undefined);
    if (this.config.dialect === 'passive') {
      this.bootTimer = setInterval(() => this.printBoot(), this.config.bootRepeatMs);
    }
  }

  static start(devicePath: string, config: Partial<ModemConfig> = {}): Promise<ModemSimulator> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path: devicePath, baudRate: 115200, autoOpen: false });
      port.open((err) => (err ? reject(err) : resolve(new ModemSimulator(port, config))));
    });
  }

  private onData(text: string): void {
    this.input += text;
    const parts = this.input.split(terminatorPatterns[this.config.terminator]);
    this.input = parts.pop() ?? '';
    for (const raw of parts) {
      // A terminator the firmware does not split on stays in the line; it ignores stray CR/LF.
      const command = raw.replace(/[\r\n]/g, '').trim();
      if (command) void this.answer(command);
    }
  }

  /** Bytes straight onto the wire, as a misbehaving firmware would send them. */
  sendRaw(bytes: Buffer): Promise<void> {
    return new Promise((resolve) => this.port.write(bytes, () => this.port.drain(() => resolve())));
  }

  private send(text: string): void {
    if (this.port.isOpen) this.port.write(Buffer.from(text, 'latin1'));
  }

  private lines(lines: string[]): string {
    return lines.map((l) => `${l}\r\n`).join('');
  }

  private errorLine(code: number): string {
    return this.cmee ? `+CME ERROR: ${code}` : 'ERROR';
  }

  private colour(text: string): string {
    return this.config.ansi ? `\x1b[1;32m${text}\x1b[0m` : text;
  }

  private async answer(command: string): Promise<void> {
    this.received.push(command);
    const c = this.config;
    if (c.silent || c.dialect === 'passive') return;
    if (c.responseDelayMs > 0) await new Promise((r) => setTimeout(r, c.responseDelayMs));
    const isShell = c.dialect.startsWith('shell');
    let out = '';
    if (c.garbage) out += '\xff\xfe\x00\x13\x80junk-without-end';
    if (isShell || c.echo) out += this.lines([isShell ? `${PROMPT}${command}` : command]);
    out += this.lines(['']);
    if (c.noise)
      out += this.lines([
        '+CEREG: 2,"76C1","0102DA04",7',
        '[00:00:03.512,000] <inf> app: OK waiting for LTE',
      ]);
    out += this.lines(this.respond(command).map((l) => (isShell ? this.colour(l) : l)));
    if (isShell) out += PROMPT;
    if (c.unplugDuring && command.toUpperCase().endsWith(c.unplugDuring.toUpperCase())) {
      this.send(out.slice(0, Math.floor(out.length / 2)));
      this.onUnplug();
      return;
    }
    this.send(out);
  }

  private respond(command: string): string[] {
    const c = this.config;
    let at = command;
    if (c.dialect !== 'at') {
      const [word, ...rest] = command.split(' ');
      if (word !== 'at' || c.dialect === 'shell-no-at') return [`${word}: command not found`];
      at = rest.join(' ');
      if (c.dialect === 'shell-lowercase' && at !== at.toLowerCase()) return ['ERROR'];
    }
    switch (at.toUpperCase()) {
      case 'AT':
        return ['OK'];
      case 'AT+CMEE=1':
        this.cmee = true;
        return ['OK'];
      case 'AT+CGSN':
        return [c.imei, 'OK'];
      case 'AT+CGMM':
        return [c.model, 'OK'];
      case 'AT+CGMR':
        return [c.firmware, 'OK'];
      case 'AT%ATTESTTOKEN':
        if (!c.attestTokenSupported) return [this.errorLine(0)];
        return [`%ATTESTTOKEN: "${this.issueToken()}"`, 'OK'];
      default:
        return [this.errorLine(0)];
    }
  }

  private issueToken(): string {
    this.tokensIssued++;
    return makeToken({ deviceId: this.config.deviceId, deviceType: this.config.deviceType }).token;
  }

  /** What an unclaimed device prints at boot, in the configured shape. */
  private printBoot(): void {
    const token = this.issueToken();
    const boot = ['*** Booting nRF Connect SDK v3.1.0 ***', '[00:00:00.250,000] <inf> main: starting'];
    switch (this.config.bootFormat) {
      case 'sdk':
        boot.push('Attestation token for claiming device on nRFCloud:', token, '');
        break;
      case 'att': {
        const third = Math.ceil(token.length / 3);
        boot.push('[00:00:00.512,000] <inf> main: ----- BEGIN ATTESTATION TOKEN -----');
        for (let i = 0; i < 3; i++)
          boot.push(`[00:00:00.51${i},000] <inf> main: ${token.slice(i * third, (i + 1) * third)}`);
        boot.push('[00:00:00.516,000] <inf> main: ----- END ATTESTATION TOKEN -----');
        break;
      }
      case 'slm':
        boot.push(
          'Ready',
          '#XNRFPROV: -2',
          `[00:00:02.100,000] <inf> slm_nrfcloud: Attestation token: ${token}`,
        );
        break;
    }
    this.send(this.lines(boot));
  }

  close(): Promise<void> {
    if (this.bootTimer) clearInterval(this.bootTimer);
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}
