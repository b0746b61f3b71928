import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: resolve(__dirname, '../..') });

/** The import-rule errors ESLint reports for one line of code in a file of that layer. */
async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, {
    filePath: resolve(__dirname, '../..', file),
  });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: Array<[layer: string, file: string, forbidden: string[], allowed: string[]]> = [
  [
    'core and shared are pure',
    'electron/core/x.ts',
    [
      "import { readFileSync } from 'node:fs';",
      "import path from 'path';",
      "import Database from 'better-sqlite3';",
      "import { app } from 'electron';",
      "import { OutboxRepository } from '../adapters/db/outbox-repo';",
      "import { Fieldclaim } from '../services/fieldclaim';",
      "import { runCli } from '../cli/program';",
    ],
    ["import { normalizeTags } from './tags';", "import type { Settings } from '../shared/types';"],
  ],
  [
    'shared is pure too',
    'electron/shared/x.ts',
    ["import { decode } from '../adapters/api/answers';", "import { join } from 'node:path';"],
    ["import { z } from 'zod';"],
  ],
  [
    'adapters never import services, main or cli',
    'electron/adapters/db/x.ts',
    [
      "import { SyncService } from '../../services/sync-service';",
      "import { registerIpc } from '../../main/ipc';",
      "import { runCli } from '../../cli/program';",
      "import { app } from 'electron';",
    ],
    ["import Database from 'better-sqlite3';", "import { decideClaim } from '../../core/outbox-entry';"],
  ],
  [
    'services never import main or cli',
    'electron/services/x.ts',
    [
      "import { registerIpc } from '../main/ipc';",
      "import { runCli } from '../cli/program';",
      "import { app } from 'electron';",
    ],
    ["import { OutboxRepository } from '../adapters/db/outbox-repo';"],
  ],
  [
    'the CLI never imports main',
    'electron/cli/commands/x.ts',
    ["import { createMainWindow } from '../../main/window';", "import { ipcRenderer } from 'electron';"],
    ["import type { Fieldclaim } from '../../services/fieldclaim';"],
  ],
  [
    'the preload imports only electron and the contract',
    'electron/preload/x.ts',
    ["import { Fieldclaim } from '../services/fieldclaim';", "import { readFileSync } from 'node:fs';"],
    ["import { contextBridge } from 'electron';", "import type { Channel } from '../shared/contract';"],
  ],
  [
    'the renderer imports only $shared',
    'renderer/src/lib/x.ts',
    [
      "import type { Settings } from '../../../electron/shared/types';",
      "import { Fieldclaim } from '../../../electron/services/fieldclaim';",
      "import { ipcRenderer } from 'electron';",
      "import { readFileSync } from 'node:fs';",
    ],
    ["import type { Settings } from '$shared/types';", "import { call } from './api';"],
  ],
];

describe('each layer imports only what its rule allows', () => {
  it.each(cases)('%s', async (_layer, file, forbidden, allowed) => {
    for (const code of forbidden) expect(await importErrors(file, code), code).toHaveLength(1);
    for (const code of allowed) expect(await importErrors(file, code), code).toEqual([]);
  });
});
