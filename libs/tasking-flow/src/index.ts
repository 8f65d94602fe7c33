export * from './flow-store';
export * from './log-follower';
export * from './process-managers';
export * from './queues';
export * from './dispatcher';
export * from './worker';
export * from './tasking-flow.module';
