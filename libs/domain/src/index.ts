export type { Decider, DomainEvent } from './decider';
