import { randomUUID } from 'node:crypto';
import type { EventMetadata, EventToAppend, JsonObject } from '../event-store';

/** Builders for tests of the event log: well-formed events with a fresh id. */
export const testActor = { id: 'u-contract', name: 'Contract Test', role: 'strategic-lead' } as const;

export function testMetadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    actor: testActor,
    correlationId: randomUUID(),
    causationId: randomUUID(),
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}

export function testEvent(type = 'SomethingHappened', data: JsonObject = {}, id: string = randomUUID()): EventToAppend {
  return { id, type, data, metadata: testMetadata() };
}

export function testEvents(count: number, type = 'SomethingHappened'): EventToAppend[] {
  return Array.from({ length: count }, (_, n) => testEvent(type, { n }));
}

/** A prefix no other test uses, so that tests can share one log (EventStoreDB) and filter by it. */
export function uniquePrefix(): string {
  return `ct${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}
