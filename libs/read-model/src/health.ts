/**
 * What readiness can ask of the projection. Shaped as @app/runtime's HealthCheck (a name and a
 * `check` that rejects when not usable), so the health module can list it as it is. (Whether the
 * read model's database answers is @app/runtime's own `databaseCheck`.)
 */
import type { ProjectionRunner } from './projection-runner';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

/**
 * The projection keeps up (for the process that runs it): running, not failing, and no batch
 * stuck for longer than `maxBusyMs` (default 30 s). Catching up on a backlog is fine: batches
 * keep committing.
 */
export function projectionCheck(runner: ProjectionRunner, options: { readonly maxBusyMs?: number } = {}): ReadinessCheck {
  const maxBusyMs = options.maxBusyMs ?? 30_000;
  return {
    name: 'readModelProjection',
    check() {
      const status = runner.status();
      if (status.failure) {
        return Promise.reject(
          new Error(`failing since ${status.failure.since.toISOString()} after position ${status.checkpoint}: ${status.failure.error}`),
        );
      }
      if (status.state !== 'running') return Promise.reject(new Error(`the projection is ${status.state}`));
      if (status.busySince && Date.now() - status.busySince.getTime() > maxBusyMs) {
        return Promise.reject(new Error(`one batch has been in progress since ${status.busySince.toISOString()}`));
      }
      return Promise.resolve();
    },
  };
}
