export { CommandId, commandIdOf } from './command-id';
export {
  canonicalJson,
  commandIdFor,
  idempotencyScope,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  parseIdempotencyKey,
  requestFingerprint,
  requestTarget,
} from './idempotency-key';
export { IdempotencyGuard } from './idempotency.guard';
export { IdempotencyModule } from './idempotency.module';
export {
  type ClaimOutcome,
  DEFAULT_LEASE_MS,
  DEFAULT_RETENTION_MS,
  IDEMPOTENCY_MIGRATIONS,
  IDEMPOTENCY_OPTIONS,
  type IdempotencyOptions,
  IdempotencyStore,
  type StoredAnswer,
} from './idempotency.store';
