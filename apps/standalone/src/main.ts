/** `npm start`: the composition root that runs the api (HTTP), projector (in a worker thread) and worker in one process. */
import 'reflect-metadata';
import { launch } from '@app/runtime';
import { ApiModule } from '../../api/src/api.module';
import { StandaloneModule } from './standalone.module';

void launch({
  name: 'Standalone',
  needs: ['event-store', 'redis', 'database'],
  module: (config) => StandaloneModule.forRoot(config),
  http: {
    adapter: () => ApiModule.createHttpAdapter(),
    host: ApiModule.host,
    configure: (app) => ApiModule.configureHttp(app),
  },
  serves: (port) => `api, projector (in a worker thread) and worker in one process; HTTP on ${ApiModule.host}:${String(port)}`,
});
