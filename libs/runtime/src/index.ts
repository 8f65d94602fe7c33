export * from './dependency-errors';
export * from './health.controller';
export * from './health.module';
export * from './health.service';
export * from './probes';
export * from './redis-connection';
export * from './redis.module';
export * from './startup';
