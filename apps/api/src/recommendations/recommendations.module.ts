import { Module } from '@nestjs/common';
import { RecommendationCommandsController } from './recommendation-commands.controller';
import { RecommendationCommands } from './recommendation-commands.service';
import { RecommendationQueriesController } from './recommendation-queries.controller';
import { TaskingsModule } from '../taskings/taskings.module';

/** Inspections and recommendations: their commands, and their queries (read model and log). */
@Module({
  // The LPA register, which an action's LPA is checked against.
  imports: [TaskingsModule],
  controllers: [RecommendationCommandsController, RecommendationQueriesController],
  providers: [RecommendationCommands],
})
export class RecommendationsModule {}
