import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

interface Step {
  uses?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  run?: string;
}
interface Job {
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = (name: string) =>
  load(readFileSync(join(root, '.github/workflows', name), 'utf8')) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);

describe('the GitHub workflows', () => {
  it.each(['ci.yml', 'release.yml'])(
    '%s pins every action by commit and keeps no checkout credentials',
    (name) => {
      const w = workflow(name);
      for (const step of steps(w).filter((s) => s.uses))
        expect(step.uses, step.uses).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      for (const step of steps(w).filter((s) => s.uses?.startsWith('actions/checkout@')))
        expect(step.with?.['persist-credentials']).toBe(false);
      expect(w.permissions).toEqual({ contents: 'read' });
    },
  );

  it('release: the jobs that build and test can only read; one publish job, running no project code, may write', () => {
    const w = workflow('release.yml');
    const writers = Object.entries(w.jobs).filter(([, job]) => job.permissions?.contents === 'write');
    expect(writers.map(([name]) => name)).toEqual(['publish']);
    const publish = w.jobs.publish!;
    expect(publish.steps.some((s) => s.run?.includes('npm'))).toBe(false);
    expect(w.jobs.installers!.permissions).toEqual({ contents: 'read' });
  });

  it("release: each platform's signing secrets reach only the step that signs on that platform", () => {
    const w = workflow('release.yml');
    const secretsOf = (s: Step) =>
      Object.values(s.env ?? {}).filter((v) => /secrets\.(WIN|MAC|APPLE)_/.test(v));
    const signing = steps(w)
      .filter((s) => secretsOf(s).length > 0)
      .map((s) => ({ if: s.if, secrets: secretsOf(s).join(' ') }));
    // Exactly one signing step per platform, each behind its platform's condition, with only its secrets.
    expect(signing).toEqual(
      expect.arrayContaining([
        { if: "runner.os == 'Windows'", secrets: expect.not.stringMatching(/MAC_|APPLE_/) },
        { if: "runner.os == 'macOS'", secrets: expect.not.stringMatching(/WIN_/) },
      ]),
    );
    expect(signing).toHaveLength(2);
    expect(signing.find((s) => s.if === "runner.os == 'Windows'")?.secrets).toMatch(/WIN_/);
    expect(signing.find((s) => s.if === "runner.os == 'macOS'")?.secrets).toMatch(/MAC_|APPLE_/);
  });
});

describe('the Electron fuses of the installed app', () => {
  it('switch off running as Node, NODE_OPTIONS and inspect flags; switch on cookie encryption and asar integrity', () => {
    const config = JSON.parse(readFileSync(join(root, 'electron-builder.json'), 'utf8')) as {
      electronFuses: Record<string, boolean>;
    };
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
