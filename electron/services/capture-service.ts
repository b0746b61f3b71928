import type Database from 'better-sqlite3';
import { attestTokenQuery, firmwareQuery, imeiQuery, modelQuery } from '../core/at-response';
import { probeWaits } from '../core/probe-plan';
import { provisioningTokenQuery, provisioningUuidQuery } from '../core/provisioning-shell';
import { normalizeTags } from '../core/tags';
import { decodeAttestationToken, isNrf9160, TokenError, type AttestationToken } from '../core/token';
import { write } from '../adapters/db/database';
import type { DevicesRepository } from '../adapters/db/devices-repo';
import type { EnqueueOutcome, OutboxRepository } from '../adapters/db/outbox-repo';
import {
  AtClient,
  AtCommandError,
  MissingAnswerError,
  WrongDialectError,
  type AtDialect,
  type LineEnding,
} from '../adapters/serial/at-client';
import { SerialLineChannel } from '../adapters/serial/line-channel';
import { captureBootToken, scannerSpotter } from '../adapters/serial/passive-capture';
import { CodedError } from '../shared/result';
import type { ReadMode, ScanResult } from '../shared/types';
import type { SettingsService } from './settings-service';

export interface ReadRequest {
  port: string;
  tags: string[];
  mode: ReadMode;
  /** Deadline of each exchange with the board, and how long a passive read listens. */
  timeoutMs?: number;
  baudRate?: number;
  lineEnding?: LineEnding;
  /** Hardware flow control (RTS/CTS), as Nordic's tools use by default. */
  rtscts?: boolean;
  /** Told as the read moves on, for the station's live tiles. */
  onStage?: (stage: 'connecting' | 'reading') => void;
}

interface Answers {
  dialect: 'at' | 'shell' | 'passive';
  imei: string | null;
  model: string | null;
  firmware: string | null;
  token: AttestationToken;
  warnings: string[];
}

const nrf9160Warning =
  'nRF9160: the Provisioning Service supports this chip only for some accounts; the claim may be refused.';

/** What auto mode's probes found out about the board. */
type Probe =
  | { kind: 'answers'; dialect: AtDialect; imei: string | null; warnings: string[] }
  | { kind: 'shell-without-at'; said: string }
  | { kind: 'printed'; token: AttestationToken }
  | { kind: 'silent' };

function decodeRead(text: string, port: string): AttestationToken {
  try {
    return decodeAttestationToken(text);
  } catch (err) {
    if (err instanceof TokenError) {
      throw new CodedError(
        'invalid-token',
        err.fault === 'not-a-token'
          ? `${port} answered with something that is not an attestation token: ${err.message}`
          : `The token read from ${port} is damaged (${err.message}): read it again`,
      );
    }
    throw err;
  }
}

const passiveAnswers = (token: AttestationToken): Answers => ({
  dialect: 'passive',
  imei: null,
  model: null,
  firmware: null,
  token,
  warnings: ['The IMEI cannot be read from a token printed at boot.'],
});

/**
 * The chip the modem names (AT+CGMM `nRF9151-LACA`) against the one its token names (`nRF9151
 * LACA`): they differ only when the token is not this board's, or a test fixture was pieced together.
 */
function modelMismatch(model: string | null, token: AttestationToken): string[] {
  const chip = (name: string) => /^nRF91\d\d/i.exec(name)?.[0].toLowerCase() ?? null;
  const said = model ? chip(model) : null;
  const inToken = chip(token.deviceTypeName);
  if (!said || !inToken || said === inToken) return [];
  return [
    `The modem says it is ${model}, but its token says ${token.deviceTypeName}: check that the token is this board's.`,
  ];
}

/** Reads a board's identity over serial, in whatever dialect its firmware speaks, and queues its claim. */
export class CaptureService {
  constructor(
    private readonly db: Database.Database,
    private readonly outbox: OutboxRepository,
    private readonly devices: DevicesRepository,
    private readonly settings: SettingsService,
  ) {}

  async read(request: ReadRequest): Promise<ScanResult> {
    const tagCheck = normalizeTags(request.tags);
    if (!tagCheck.ok) throw new CodedError('invalid-argument', tagCheck.reason);
    const settings = this.settings.get();
    request.onStage?.('connecting');
    const channel = await SerialLineChannel.open(request.port, {
      baudRate: request.baudRate ?? settings.baudRate,
      rtscts: request.rtscts ?? settings.rtscts,
    });
    let answers: Answers;
    try {
      request.onStage?.('reading');
      answers = await this.talk(
        channel,
        request,
        request.lineEnding ?? settings.lineEnding,
        request.timeoutMs ?? settings.timeoutMs,
      );
    } finally {
      await channel.close();
    }
    return this.record(request.port, answers, tagCheck.tags);
  }

  private async talk(
    channel: SerialLineChannel,
    request: ReadRequest,
    lineEnding: LineEnding,
    timeoutMs: number,
  ): Promise<Answers> {
    const client = (dialect: AtDialect, exchangeTimeoutMs = timeoutMs) =>
      new AtClient(channel, { lineEnding, exchangeTimeoutMs, dialect });
    switch (request.mode) {
      case 'at':
        return this.readOverAt(client('at'), 'at', request.port);
      case 'shell':
        return this.readShell(client('shell'), request.port);
      case 'passive':
        return passiveAnswers(await captureBootToken(channel, Date.now() + timeoutMs));
      case 'auto':
        return this.detect(channel, client, timeoutMs, request.port);
    }
  }

  /**
   * As Nordic's tools do: `at AT+CGSN` through a shell first, then plain `AT+CGSN`, each a few
   * times; a shell without `at` is asked `nrf_provisioning`; then listen for the token printed at
   * boot. Every line that arrives meanwhile is watched for that token too.
   */
  private async detect(
    channel: SerialLineChannel,
    client: (dialect: AtDialect, timeout?: number) => AtClient,
    timeoutMs: number,
    port: string,
  ): Promise<Answers> {
    let printed: AttestationToken | null = null;
    const spot = scannerSpotter();
    const untap = channel.tap((line) => void (printed ??= spot(line)));
    try {
      const probe = await this.probe(client, timeoutMs, () => printed);
      let shellSaid: string | null = null;
      switch (probe.kind) {
        case 'answers':
          return await this.readOverAt(client(probe.dialect), probe.dialect, port, probe);
        case 'printed':
          return passiveAnswers(probe.token);
        case 'shell-without-at':
          try {
            return await this.readProvisioningShell(client('shell'), port, probe.said);
          } catch (err) {
            // A shell with neither `at` nor `nrf_provisioning` may still print its token at boot.
            if (!(err instanceof WrongDialectError)) throw err;
            shellSaid = probe.said;
          }
          break;
        case 'silent':
          break;
      }
      try {
        // The tap has fed every line to its scanner, this one included: only ask what it found.
        return passiveAnswers(await captureBootToken(channel, Date.now() + timeoutMs, () => printed));
      } catch (err) {
        if (!(err instanceof CodedError) || err.code !== 'device-no-answer') throw err;
        throw new CodedError(
          'device-no-answer',
          shellSaid
            ? `${port} does not answer AT commands: its Zephyr shell has neither \`at\` nor \`nrf_provisioning\` ` +
                `(it said "${shellSaid}"), and it printed no token: build the firmware with the AT shell (CONFIG_AT_SHELL), ` +
                "or press the board's reset button while Fieldclaim listens"
            : `${port} does not answer AT commands (neither directly nor through a shell) and printed no token: ` +
                "check the baud rate, or press the board's reset button while Fieldclaim listens",
        );
      }
    } finally {
      untap();
    }
  }

  /** Auto mode's probes: which dialect answers `AT+CGSN`, if any. */
  private async probe(
    client: (dialect: AtDialect, timeout?: number) => AtClient,
    timeoutMs: number,
    printed: () => AttestationToken | null,
  ): Promise<Probe> {
    for (const dialect of ['shell', 'at'] as const) {
      for (const wait of probeWaits(timeoutMs)) {
        try {
          const imei = await client(dialect, wait).query(imeiQuery);
          return { kind: 'answers', dialect, imei, warnings: [] };
        } catch (err) {
          // `<cmd>: command not found`: a Zephyr shell, whichever way it was asked.
          if (err instanceof WrongDialectError) return { kind: 'shell-without-at', said: err.line };
          // It takes commands this way, but keeps its IMEI to itself: read on without it.
          if (err instanceof MissingAnswerError)
            return {
              kind: 'answers',
              dialect,
              imei: null,
              warnings: [`Could not read the IMEI: ${err.message}`],
            };
          if (!(err instanceof CodedError)) throw err;
          if (err.code === 'device-no-answer') {
            // Silent, but it has printed its token meanwhile: a board that only prints at boot.
            const token = printed();
            if (token) return { kind: 'printed', token };
            continue;
          }
          // It answered, though not to this dialect (ERROR): try the next one. A failed port ends the read.
          if (err.code === 'device-error') break;
          throw err;
        }
      }
    }
    return { kind: 'silent' };
  }

  /** A shell: `at` commands, or `nrf_provisioning` in builds without them. */
  private async readShell(at: AtClient, port: string): Promise<Answers> {
    try {
      return await this.readOverAt(at, 'shell', port);
    } catch (err) {
      if (!(err instanceof WrongDialectError)) throw err;
      try {
        return await this.readProvisioningShell(at, port, err.line);
      } catch (inner) {
        if (!(inner instanceof WrongDialectError)) throw inner;
        throw new CodedError(
          'device-error',
          `${port} runs a Zephyr shell with neither \`at\` nor \`nrf_provisioning\` (it said "${err.line}" and "${inner.line}"): ` +
            'build the firmware with the AT shell (CONFIG_AT_SHELL), or read the token it prints at boot (mode passive)',
        );
      }
    }
  }

  /**
   * The nRF Device provisioning sample's default build: a shell with `nrf_provisioning token` and
   * `nrf_provisioning uuid`, no `at`. The UUID the board states is checked against the token's.
   */
  private async readProvisioningShell(at: AtClient, port: string, said: string): Promise<Answers> {
    let stated: string | null = null;
    try {
      stated = await at.shell(provisioningUuidQuery);
    } catch (err) {
      // A build without `uuid`, or a modem that would not say: the token speaks for itself.
      if (!(err instanceof CodedError) || err.code !== 'device-error') throw err;
    }
    const token = decodeRead(await at.shell(provisioningTokenQuery), port);
    if (stated && stated !== token.deviceId) {
      throw new CodedError(
        'invalid-token',
        `The token read from ${port} is device ${token.deviceId}'s, but the board says it is ${stated}: read it again`,
      );
    }
    return {
      dialect: 'shell',
      imei: null,
      model: null,
      firmware: null,
      token,
      warnings: [
        `${port} has no \`at\` command (it said "${said}"; the nRF Device provisioning sample is built so): ` +
          'the token was read with `nrf_provisioning token`, and the IMEI, model and firmware cannot be read without AT commands.',
      ],
    };
  }

  /** The IMEI, or null (with a warning) from a board that answers OK but will not say it. */
  private async readImei(at: AtClient, warnings: string[]): Promise<string | null> {
    try {
      return await at.query(imeiQuery);
    } catch (err) {
      if (!(err instanceof MissingAnswerError)) throw err;
      warnings.push(`Could not read the IMEI: ${err.message}`);
      return null;
    }
  }

  private async readOverAt(
    at: AtClient,
    dialect: AtDialect,
    port: string,
    known?: { imei: string | null; warnings: string[] },
  ): Promise<Answers> {
    const warnings: string[] = [...(known?.warnings ?? [])];
    const imei = known ? known.imei : await this.readImei(at, warnings);
    // Model and firmware are for the record; a board that will not say them can still be claimed.
    const optional = async (query: typeof modelQuery) => {
      try {
        return await at.query(query);
      } catch (err) {
        if (!(err instanceof CodedError) || err.code !== 'device-error') throw err;
        warnings.push(`Could not read the ${query.describes}: ${err.message}`);
        return null;
      }
    };
    const model = await optional(modelQuery);
    const firmware = await optional(firmwareQuery);
    let text: string;
    try {
      text = await at.query(attestTokenQuery);
    } catch (err) {
      throw err instanceof AtCommandError ? err.explained({ firmware }) : err;
    }
    return { dialect, imei, model, firmware, token: decodeRead(text, port), warnings };
  }

  private record(port: string, answers: Answers, tags: string[]): ScanResult {
    const { token } = answers;
    const outcome = write(this.db, (): EnqueueOutcome => {
      this.devices.recordRead({
        deviceId: token.deviceId,
        deviceType: token.deviceType,
        imei: answers.imei,
        model: answers.model,
        firmware: answers.firmware,
        port,
        readAt: new Date().toISOString(),
        site: this.settings.get().siteTags.join(','),
      });
      return this.outbox.enqueueClaim(token.deviceId, { token: token.token, tags, imei: answers.imei })
        .outcome;
    });
    return {
      port,
      deviceId: token.deviceId,
      deviceType: token.deviceTypeName,
      imei: answers.imei,
      model: answers.model,
      firmware: answers.firmware,
      tags,
      queued: outcome === 'queued',
      duplicate: outcome !== 'queued',
      dialect: answers.dialect,
      warnings: [
        ...(isNrf9160(token.deviceType) ? [nrf9160Warning] : []),
        ...modelMismatch(answers.model, token),
        ...answers.warnings,
      ],
    };
  }
}
