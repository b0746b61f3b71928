import type Database from 'better-sqlite3';
import { attestTokenQuery, firmwareQuery, imeiQuery, modelQuery } from '../core/at-response';
import { normalizeTags } from '../core/tags';
import { decodeAttestationToken, isNrf9160, TokenError, type AttestationToken } from '../core/token';
import type { DevicesRepository } from '../adapters/db/devices-repo';
import type { EnqueueOutcome, OutboxRepository } from '../adapters/db/outbox-repo';
import { AtClient, type AtDialect, type LineEnding } from '../adapters/serial/at-client';
import { SerialLineChannel } from '../adapters/serial/line-channel';
import { captureBootToken } from '../adapters/serial/passive-capture';
import { CodedError } from '../shared/result';
import type { ReadMode, ScanResult } from '../shared/types';
import type { SettingsService } from './settings-service';

export interface ReadRequest {
  port: string;
  tags: string[];
  mode: ReadMode;
  timeoutMs?: number;
  baudRate?: number;
  lineEnding?: LineEnding;
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

/** Auto mode's probes: a device that takes AT commands answers within this. */
const PROBE_TIMEOUT_MS = 1_200;

function decodeRead(text: string, port: string): AttestationToken {
  try {
    return decodeAttestationToken(text);
  } catch (err) {
    if (err instanceof TokenError) {
      throw new CodedError(
        'invalid-token',
        `The token read from ${port} is damaged (${err.message}): read it again`,
      );
    }
    throw err;
  }
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
        settings.lineEnding,
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
    defaultEnding: LineEnding,
    timeoutMs: number,
  ): Promise<Answers> {
    const lineEnding = request.lineEnding ?? defaultEnding;
    const client = (dialect: AtDialect, exchangeTimeoutMs = timeoutMs) =>
      new AtClient(channel, { lineEnding, exchangeTimeoutMs, dialect });
    switch (request.mode) {
      case 'at':
      case 'shell':
        return this.readOverAt(client(request.mode), request.mode, request.port);
      case 'passive':
        return this.passive(channel, timeoutMs);
      case 'auto':
        return this.detect(channel, client, timeoutMs, request.port);
    }
  }

  /** As Nordic's tools do: `at AT+CGSN` through a shell first, then plain `AT+CGSN`, then listen. */
  private async detect(
    channel: SerialLineChannel,
    client: (dialect: AtDialect, timeout?: number) => AtClient,
    timeoutMs: number,
    port: string,
  ): Promise<Answers> {
    for (const dialect of ['shell', 'at'] as const) {
      let imei: string;
      try {
        imei = await client(dialect, Math.min(PROBE_TIMEOUT_MS, timeoutMs)).query(imeiQuery);
      } catch (err) {
        // Silence or a refusal means "not this dialect"; a port that failed (unplugged, busy) ends the read.
        if (err instanceof CodedError && (err.code === 'device-no-answer' || err.code === 'device-error'))
          continue;
        throw err;
      }
      return this.readOverAt(client(dialect), dialect, port, imei);
    }
    try {
      return await this.passive(channel, timeoutMs);
    } catch (err) {
      if (err instanceof CodedError && err.code === 'device-no-answer') {
        throw new CodedError(
          'device-no-answer',
          `${port} does not answer AT commands (neither directly nor through a shell) and printed no token: ` +
            "check the baud rate, or press the board's reset button while Fieldclaim listens",
        );
      }
      throw err;
    }
  }

  private async readOverAt(
    at: AtClient,
    dialect: AtDialect,
    port: string,
    knownImei?: string,
  ): Promise<Answers> {
    const imei = knownImei ?? (await at.query(imeiQuery));
    const warnings: string[] = [];
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
    const token = decodeRead(await at.query(attestTokenQuery), port);
    return { dialect, imei, model, firmware, token, warnings };
  }

  private async passive(channel: SerialLineChannel, timeoutMs: number): Promise<Answers> {
    const token = await captureBootToken(channel, Date.now() + timeoutMs);
    return {
      dialect: 'passive',
      imei: null,
      model: null,
      firmware: null,
      token,
      warnings: ['The IMEI cannot be read from a token printed at boot.'],
    };
  }

  private record(port: string, answers: Answers, tags: string[]): ScanResult {
    const { token } = answers;
    const outcome = this.db.transaction((): EnqueueOutcome => {
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
    })();
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
      warnings: [...(isNrf9160(token.deviceType) ? [nrf9160Warning] : []), ...answers.warnings],
    };
  }
}
