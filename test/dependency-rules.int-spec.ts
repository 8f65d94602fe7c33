// Proves that the rules in .dependency-cruiser.cjs bite: each fixture under
// test/fixtures/dependency-rules/ is a tiny apps/ + libs/ tree that breaks exactly one rule (or,
// for `clean`, none), and is cruised with the repository's own configuration through the CLI,
// exactly as `npm run deps` does.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..');
const fixturesRoot = join(__dirname, 'fixtures', 'dependency-rules');
const depcruiseBin = join(repoRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const config = join(repoRoot, '.dependency-cruiser.cjs');

interface Violation {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
}

interface CruiseResult {
  readonly summary: {
    readonly violations: readonly {
      readonly rule: { readonly name: string };
      readonly from: string;
      readonly to: string;
    }[];
  };
}

/** Runs the depcruise CLI in the fixture's folder, as `npm run deps` runs it in the repository's. */
async function runDepcruise(
  fixture: string,
  outputType: 'json' | 'err',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cwd = join(fixturesRoot, fixture);
  const roots = ['apps', 'libs'].filter((dir) => existsSync(join(cwd, dir)));
  const args = [depcruiseBin, '--config', config, '--output-type', outputType, ...roots];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function cruise(fixture: string): Promise<Violation[]> {
  const { code, stdout, stderr } = await runDepcruise(fixture, 'json');
  let result: CruiseResult;
  try {
    result = JSON.parse(stdout) as CruiseResult;
  } catch {
    throw new Error(`depcruise in ${fixture} exited with ${String(code)} and no JSON result:\n${stderr}`);
  }
  return result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

describe('dependency rules (.dependency-cruiser.cjs)', () => {
  it('finds nothing wrong in a tree that uses every allowed kind of import', async () => {
    // Covers: relative imports inside libs/domain; @app aliases, node:* and npm packages
    // outside it; a type-only import of a devDependency; devDependencies in a *.spec.ts and
    // under src/testing/; apps/standalone importing each app's root module.
    expect(await cruise('clean')).toEqual([]);
  });

  it('fails the run (non-zero exit) on a violation, as `npm run deps` needs', async () => {
    // `npm run deps` uses the default `err` reporter, whose exit code is the number of errors.
    expect(await runDepcruise('clean', 'err')).toMatchObject({ code: 0 });
    expect(await runDepcruise('lib-imports-app', 'err')).toMatchObject({ code: 1 });
  });

  it('forbids libs/domain to import a framework', async () => {
    expect(await cruise('domain-imports-framework')).toEqual([
      {
        rule: 'domain-imports-nothing-external',
        from: 'libs/domain/src/tasking/tasking.decide.ts',
        to: expect.stringMatching(/(^|\/)node_modules\/@nestjs\/common\//) as string,
      },
    ]);
  });

  it('forbids libs/domain to import a Node builtin', async () => {
    expect(await cruise('domain-imports-node-builtin')).toEqual([
      {
        rule: 'domain-imports-nothing-external',
        from: 'libs/domain/src/tasking/tasking.decide.ts',
        to: expect.stringMatching(/^(node:)?crypto$/) as string,
      },
    ]);
  });

  it('forbids libs/domain to import another lib, or itself through the @app alias', async () => {
    const violations = await cruise('domain-imports-via-alias');
    expect(violations).toHaveLength(2);
    expect(violations).toEqual(
      expect.arrayContaining([
        {
          rule: 'domain-relative-imports-only',
          from: 'libs/domain/src/tasking/tasking.decide.ts',
          to: 'libs/domain/src/tasking/tasking.events.ts',
        },
        {
          rule: 'domain-imports-nothing-external',
          from: 'libs/domain/src/tasking/tasking.decide.ts',
          to: 'libs/event-store/src/index.ts',
        },
      ]),
    );
  });

  it('forbids a lib to import an app', async () => {
    expect(await cruise('lib-imports-app')).toEqual([
      { rule: 'libs-do-not-import-apps', from: 'libs/event-store/src/index.ts', to: 'apps/api/src/api.module.ts' },
    ]);
  });

  it('forbids an app to import another app, even its root module', async () => {
    expect(await cruise('app-imports-app')).toEqual([
      {
        rule: 'apps-do-not-import-each-other',
        from: 'apps/worker/src/worker.module.ts',
        to: 'apps/api/src/api.module.ts',
      },
    ]);
  });

  it("lets apps/standalone import an app's root module, and nothing else of it", async () => {
    // The fixture imports both apps/api/src/api.module.ts and apps/api/src/other.ts: only the
    // second is reported.
    expect(await cruise('standalone-imports-app-internals')).toEqual([
      {
        rule: 'standalone-imports-only-app-root-modules',
        from: 'apps/standalone/src/standalone.module.ts',
        to: 'apps/api/src/other.ts',
      },
    ]);
  });

  it('forbids import cycles', async () => {
    const violations = await cruise('cycle');
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.every((v) => v.rule === 'no-circular')).toBe(true);
    expect(violations.map((v) => v.from)).toContain('libs/event-store/src/a.ts');
  });

  it('forbids production code to import a devDependency', async () => {
    expect(await cruise('dev-dependency-in-production')).toEqual([
      {
        rule: 'not-to-dev-dep',
        from: 'apps/api/src/ids.ts',
        to: expect.stringMatching(/(^|\/)node_modules\/fast-check\//) as string,
      },
    ]);
  });
});
