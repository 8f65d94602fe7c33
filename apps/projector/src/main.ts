import 'reflect-metadata';
import { launch } from '@app/runtime';
import { ProjectorModule } from './projector.module';

void launch({
  name: 'Projector',
  needs: ['event-store', 'redis', 'database'],
  module: (config) => ProjectorModule.forRoot(config),
  serves: () => 'projector running (governance read model, process managers, tasking dispatch; no HTTP)',
});
