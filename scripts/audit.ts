/**
 * `npm run audit`: the dependencies' known vulnerabilities, by `npm audit` (issue 5: no
 * high-severity finding). Prints the count of each severity and fails (exit 1) on any high or
 * critical one, naming the packages. When the registry's audit endpoint cannot be reached, as on
 * machines whose network lets only package downloads through, nothing was checked: it says so and
 * exits 69 (EX_UNAVAILABLE), so that CI can tell "not checked here" from both a pass and a finding.
 */
import { spawnSync } from 'node:child_process';

const EXIT_FINDINGS = 1;
const EXIT_UNAVAILABLE = 69;
const SEVERITIES = ['info', 'low', 'moderate', 'high', 'critical'] as const;
const BLOCKING: ReadonlySet<string> = new Set(['high', 'critical']);

interface AuditReport {
  readonly vulnerabilities?: Record<string, { readonly severity: string; readonly via: ReadonlyArray<string | { readonly title?: string; readonly url?: string }> }>;
  readonly metadata?: { readonly vulnerabilities: Record<string, number> };
  readonly message?: string;
}

function main(): void {
  // npm audit exits non-zero both for findings and when it could not ask: the report says which.
  const run = spawnSync('npm', ['audit', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  let report: AuditReport;
  try {
    report = JSON.parse(run.stdout) as AuditReport;
  } catch {
    console.error(`npm audit gave no report (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
    process.exit(EXIT_UNAVAILABLE);
  }
  if (report.metadata === undefined) {
    console.error(`npm audit could not ask the registry (${report.message ?? 'no reason given'}): nothing was checked`);
    process.exit(EXIT_UNAVAILABLE);
  }
  const counts = report.metadata.vulnerabilities;
  console.log(`npm audit: ${SEVERITIES.map((severity) => `${counts[severity] ?? 0} ${severity}`).join(', ')}`);
  const blocking = Object.entries(report.vulnerabilities ?? {}).filter(([, finding]) => BLOCKING.has(finding.severity));
  for (const [name, finding] of blocking) {
    const advisories = finding.via.filter((via) => typeof via !== 'string').map((via) => `${via.title ?? ''} ${via.url ?? ''}`.trim());
    console.error(`  ${finding.severity}: ${name}${advisories.length > 0 ? ` (${advisories.join('; ')})` : ' (through a dependency)'}`);
  }
  if (blocking.length > 0) process.exit(EXIT_FINDINGS);
}

main();
