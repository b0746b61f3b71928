import { workerData } from 'node:worker_threads';
import { serveTokenFile, type TokenFileThreadData } from '../../electron/adapters/csv/token-file-thread';

// The real reader, with an exception nobody catches thrown while it reads, as a bug would throw it.
serveTokenFile(workerData as TokenFileThreadData);
setTimeout(() => {
  throw new Error('a bug in the reader');
}, 0);
