import { Inject, Injectable } from '@nestjs/common';
import { describeFailure, noAnswer, withTimeout } from './dependency-errors';
import { type HealthCheck, ReadinessRegistry } from './readiness-registry';

export type { HealthCheck } from './readiness-registry';

/** Injection token of the `HealthCheck[]` that make up readiness. */
export const HEALTH_CHECKS = Symbol.for('app.health.checks');

export type CheckStatus = 'up' | 'down';

export interface CheckResult {
  readonly status: CheckStatus;
  readonly error?: string;
}

export interface ReadinessReport {
  readonly status: CheckStatus;
  readonly checks: Readonly<Record<string, CheckResult>>;
}

/** A check that has not answered by then counts as down: readiness itself must answer quickly. */
const CHECK_TIMEOUT_MS = 3_000;

@Injectable()
export class HealthService {
  constructor(
    @Inject(HEALTH_CHECKS) private readonly checks: readonly HealthCheck[],
    private readonly registry: ReadinessRegistry,
  ) {}

  async readiness(): Promise<ReadinessReport> {
    const results = await runChecks([...this.checks, ...this.registry.registered()]);
    return {
      status: results.every(([, result]) => result.status === 'up') ? 'up' : 'down',
      checks: Object.fromEntries(results),
    };
  }
}

/** Runs every check at once, each given CHECK_TIMEOUT_MS to answer: its name and how it went. */
export function runChecks(checks: readonly HealthCheck[]): Promise<Array<[string, CheckResult]>> {
  return Promise.all(
    checks.map(async (dependency): Promise<[string, CheckResult]> => {
      try {
        await withTimeout(dependency.check(), CHECK_TIMEOUT_MS, noAnswer(CHECK_TIMEOUT_MS));
        return [dependency.name, { status: 'up' }];
      } catch (error) {
        return [dependency.name, { status: 'down', error: describeFailure(error) }];
      }
    }),
  );
}
