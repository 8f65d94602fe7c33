import 'reflect-metadata';
import { launch } from '@app/runtime';
import { ApiModule } from './api.module';

void launch({
  name: 'Api',
  needs: ['event-store', 'redis', 'database'],
  module: (config) => ApiModule.forRoot(config),
  http: {
    adapter: () => ApiModule.createHttpAdapter(),
    host: ApiModule.host,
    configure: (app) => ApiModule.configureHttp(app),
  },
  serves: (port) => `api serving HTTP on ${ApiModule.host}:${String(port)}`,
});
