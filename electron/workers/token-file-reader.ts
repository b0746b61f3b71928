import { workerData } from 'node:worker_threads';
import { serveTokenFile, type TokenFileThreadData } from '../adapters/csv/token-file-thread';

// Built as its own entry (out/main/token-file-reader.js) and started by the CLI's imports.
serveTokenFile(workerData as TokenFileThreadData);
