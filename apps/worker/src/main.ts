import 'reflect-metadata';
import { launch } from '@app/runtime';
import { WorkerModule } from './worker.module';

void launch({
  name: 'Worker',
  needs: ['event-store', 'redis'],
  module: (config) => WorkerModule.forRoot(config),
  serves: () => 'worker running (draining the LPA and escalation queues; no HTTP)',
});
