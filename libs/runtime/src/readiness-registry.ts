import { Global, Injectable, Module } from '@nestjs/common';

/** One dependency the app cannot serve without. `check` throws when it is not usable now. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<void>;
}

/**
 * Readiness checks contributed by whatever else runs in the process: the projector registers the
 * projection's check, so the standalone process is unready while its projection is failing,
 * while an api running alone does not answer for a projector elsewhere.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks: HealthCheck[] = [];

  register(check: HealthCheck): void {
    this.checks.push(check);
  }

  registered(): readonly HealthCheck[] {
    return this.checks;
  }
}

/** Global and static: every app that imports it shares the one registry of its process. */
@Global()
@Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
export class ReadinessRegistryModule {}
