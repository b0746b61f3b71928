import type Database from 'better-sqlite3';
import { attestTokenQuery, firmwareQuery, imeiQuery, modelQuery } from '../core/at-response';
import { normalizeTags } from '../core/tags';
import { decodeAttestationToken, isNrf9160, TokenError } from '../core/token';
import type { DevicesRepository } from '../adapters/db/devices-repo';
import type { EnqueueOutcome, OutboxRepository } from '../adapters/db/outbox-repo';
import { AtClient, type LineEnding } from '../adapters/serial/at-client';
import { SerialLineChannel } from '../adapters/serial/line-channel';
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
}

const nrf9160Warning =
  'nRF9160: the Provisioning Service supports this chip only for some accounts; the claim may be refused.';

/** Reads a board's identity over serial and queues its claim. */
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
    if (request.mode === 'shell' || request.mode === 'passive') {
      throw new CodedError(
        'invalid-argument',
        `Mode "${request.mode}" is not available yet: this version reads boards running AT-host firmware (--mode at)`,
      );
    }
    const settings = this.settings.get();
    const channel = await SerialLineChannel.open(request.port, {
      baudRate: request.baudRate ?? settings.baudRate,
      rtscts: request.rtscts ?? settings.rtscts,
    });
    let answers: { imei: string; model: string; firmware: string; token: string };
    try {
      const at = new AtClient(channel, {
        lineEnding: request.lineEnding ?? settings.lineEnding,
        exchangeTimeoutMs: request.timeoutMs ?? settings.timeoutMs,
      });
      answers = {
        imei: await at.query(imeiQuery),
        model: await at.query(modelQuery),
        firmware: await at.query(firmwareQuery),
        token: await at.query(attestTokenQuery),
      };
    } finally {
      await channel.close();
    }
    return this.record(request.port, answers, tagCheck.tags);
  }

  private record(
    port: string,
    answers: { imei: string; model: string; firmware: string; token: string },
    tags: string[],
  ): ScanResult {
    let decoded;
    try {
      decoded = decodeAttestationToken(answers.token);
    } catch (err) {
      if (err instanceof TokenError) {
        throw new CodedError(
          'invalid-token',
          `The token read from ${port} is damaged (${err.message}): read it again`,
        );
      }
      throw err;
    }
    const outcome = this.db.transaction((): EnqueueOutcome => {
      this.devices.recordRead({
        deviceId: decoded.deviceId,
        deviceType: decoded.deviceType,
        imei: answers.imei,
        model: answers.model,
        firmware: answers.firmware,
        port,
        readAt: new Date().toISOString(),
      });
      return this.outbox.enqueueClaim(decoded.deviceId, { token: decoded.token, tags, imei: answers.imei })
        .outcome;
    })();
    return {
      port,
      deviceId: decoded.deviceId,
      deviceType: decoded.deviceTypeName,
      imei: answers.imei,
      model: answers.model,
      firmware: answers.firmware,
      tags,
      queued: outcome === 'queued',
      duplicate: outcome !== 'queued',
      warnings: isNrf9160(decoded.deviceType) ? [nrf9160Warning] : [],
    };
  }
}
