import 'reflect-metadata';
import { launch } from '@app/runtime';
import { ProjectorModule } from './projector.module';

void launch({
  name: 'Projector',
  needs: ['event-store', 'redis'],
  module: (config) => ProjectorModule.forRoot(config),
  serves: () => 'projector running (no projections yet; no HTTP)',
});
