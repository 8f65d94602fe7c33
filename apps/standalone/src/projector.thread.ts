/** The standalone app's projector, run in a worker thread beside the api (see AppThread). */
import 'reflect-metadata';
import { serveAppThread } from '@app/runtime';
import { ProjectorModule } from '../../projector/src/projector.module';

serveAppThread('Projector', (config) => ProjectorModule.forRoot(config));
