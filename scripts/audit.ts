/**
 * `npm run audit`: the dependencies' known vulnerabilities, by `npm audit` (issue 5: no
 * high-severity finding). Prints the count of each severity and fails (exit 1) on any high or
 * critical one, naming the packages. When the registry's audit endpoint cannot be asked (it
 * answers with an HTTP error, as on networks that let only package downloads through, or does not
 * answer at all), nothing was checked: it says so and exits 69 (EX_UNAVAILABLE), so that CI can
 * tell "not checked here" from both a pass and a finding. Any other failure of npm audit (no
 * lockfile, say) is a failure (exit 1).
 */
import { spawnSync } from 'node:child_process';

const EXIT_FAILED = 1;
const EXIT_UNAVAILABLE = 69;
const SEVERITIES = ['info', 'low', 'moderate', 'high', 'critical'] as const;
const BLOCKING: ReadonlySet<string> = new Set(['high', 'critical']);

interface AuditReport {
  readonly vulnerabilities?: Record<string, { readonly severity: string; readonly via: ReadonlyArray<string | { readonly title?: string; readonly url?: string }> }>;
  readonly metadata?: { readonly vulnerabilities: Record<string, number> };
  /** When the audit endpoint could not be asked: why, and its HTTP status if it answered. */
  readonly message?: string;
  readonly statusCode?: number;
  /** When npm itself failed. */
  readonly error?: { readonly code?: string; readonly summary?: string };
}

function fail(code: number, message: string): never {
  console.error(message);
  process.exit(code);
}

/** Whether npm says it could not reach the audit endpoint (npm 11: an HTTP status, or "request to … failed"). */
function unreachable(report: AuditReport): boolean {
  return report.error?.code === undefined && typeof report.message === 'string' && (report.statusCode !== undefined || /^request to \S+ failed/.test(report.message));
}

function main(): void {
  // Never offline: an offline audit reports nothing found, having looked at nothing.
  const run = spawnSync('npm', ['audit', '--json', '--offline=false'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) fail(EXIT_FAILED, `npm audit could not be run: ${run.error.message}`);
  // npm audit exits non-zero both for findings and when it failed: the report says which.
  let report: AuditReport;
  try {
    report = JSON.parse(run.stdout) as AuditReport;
  } catch {
    fail(EXIT_FAILED, `npm audit gave no report (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
  if (report.metadata === undefined) {
    if (unreachable(report)) fail(EXIT_UNAVAILABLE, `npm audit could not ask the registry (${report.message}): nothing was checked`);
    fail(EXIT_FAILED, `npm audit failed: ${report.error?.code ?? 'no code'} ${report.error?.summary ?? report.message ?? ''}`.trim());
  }
  const counts = report.metadata.vulnerabilities;
  console.log(`npm audit: ${SEVERITIES.map((severity) => `${counts[severity] ?? 0} ${severity}`).join(', ')}`);
  const blocking = Object.entries(report.vulnerabilities ?? {}).filter(([, finding]) => BLOCKING.has(finding.severity));
  for (const [name, finding] of blocking) {
    const advisories = finding.via.filter((via) => typeof via !== 'string').map((via) => `${via.title ?? ''} ${via.url ?? ''}`.trim());
    console.error(`  ${finding.severity}: ${name}${advisories.length > 0 ? ` (${advisories.join('; ')})` : ' (through a dependency)'}`);
  }
  if (blocking.length > 0) process.exit(EXIT_FAILED);
}

main();
