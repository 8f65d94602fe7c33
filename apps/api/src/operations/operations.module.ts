import { Module } from '@nestjs/common';
import { TaskingsModule } from '../taskings/taskings.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** What operators ask of the running system besides health: `/metrics`. */
@Module({
  imports: [TaskingsModule],
  controllers: [MetricsController],
  providers: [MetricsService],
})
export class OperationsModule {}
