import { SerialPort } from 'serialport';
import { makeToken } from './tokens';

/** How the simulated board behaves; every field can be set per test. */
export interface ModemConfig {
  deviceId: string;
  deviceType: number;
  imei: string;
  model: string;
  firmware: string;
  /** The AT host echoes each command back before answering (ATE1). */
  echo: boolean;
  /** Unsolicited result codes and log lines are printed between a command and its answer. */
  noise: boolean;
  /** Time the "firmware" takes before answering each command. */
  responseDelayMs: number;
  /** Older modem firmware without %ATTESTTOKEN answers ERROR (or +CME ERROR 0 after AT+CMEE=1). */
  attestTokenSupported: boolean;
  /** Says nothing at all, like a board running firmware without an AT host. */
  silent: boolean;
}

export const defaultModemConfig = (): ModemConfig => ({
  deviceId: makeToken().deviceId,
  deviceType: 6,
  imei: '351358815178345',
  model: 'nRF9151-LACA',
  firmware: 'mfw_nrf91x1_2.0.2',
  echo: false,
  noise: false,
  responseDelayMs: 0,
  attestTokenSupported: true,
  silent: false,
});

/**
 * An nRF91 AT host on the device end of a pty pair. It answers the commands Fieldclaim sends the
 * way modem firmware does: CRLF line endings, a blank line before the answer, OK/ERROR last, and a
 * fresh nonce (so a different token) on every %ATTESTTOKEN.
 */
export class ModemSimulator {
  readonly config: ModemConfig;
  readonly received: string[] = [];
  tokensIssued = 0;
  private cmee = false;
  private input = '';

  private constructor(
    private readonly port: SerialPort,
    config: Partial<ModemConfig>,
  ) {
    this.config = { ...defaultModemConfig(), ...config };
    port.on('data', (chunk: Buffer) => this.onData(chunk.toString('latin1')));
  }

  static start(devicePath: string, config: Partial<ModemConfig> = {}): Promise<ModemSimulator> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path: devicePath, baudRate: 115200, autoOpen: false });
      port.open((err) => (err ? reject(err) : resolve(new ModemSimulator(port, config))));
    });
  }

  private onData(text: string): void {
    this.input += text;
    const parts = this.input.split(/\r\n|\r|\n/);
    this.input = parts.pop() ?? '';
    for (const command of parts) if (command.trim()) void this.answer(command.trim());
  }

  private send(lines: string[]): void {
    if (this.port.isOpen) this.port.write(lines.map((l) => `${l}\r\n`).join(''));
  }

  private errorLine(code: number): string {
    return this.cmee ? `+CME ERROR: ${code}` : 'ERROR';
  }

  private async answer(command: string): Promise<void> {
    this.received.push(command);
    if (this.config.silent) return;
    if (this.config.responseDelayMs > 0) await new Promise((r) => setTimeout(r, this.config.responseDelayMs));
    const out: string[] = [];
    if (this.config.echo) out.push(command);
    out.push('');
    if (this.config.noise)
      out.push('+CEREG: 2,"76C1","0102DA04",7', '[00:00:03.512,000] <inf> app: OK waiting for LTE');
    out.push(...this.respond(command.toUpperCase()));
    this.send(out);
  }

  private respond(command: string): string[] {
    const c = this.config;
    switch (command) {
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
      case 'AT%ATTESTTOKEN': {
        if (!c.attestTokenSupported) return [this.errorLine(0)];
        this.tokensIssued++;
        const { token } = makeToken({ deviceId: c.deviceId, deviceType: c.deviceType });
        return [`%ATTESTTOKEN: "${token}"`, 'OK'];
      }
      default:
        return [this.errorLine(0)];
    }
  }

  close(): Promise<void> {
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}
