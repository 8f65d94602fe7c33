export * from './event-store';
export * from './errors';
export * from './create-event-store';
export * from './event-store.module';
export * from './command-handler';
export { deterministicId, timeOrderedId } from './event-ids';
export { ReadAhead } from './read-ahead';
