import { Module } from '@nestjs/common';
import { RecommendationCommandsController } from './recommendation-commands.controller';
import { RecommendationCommands } from './recommendation-commands.service';
import { RecommendationQueriesController } from './recommendation-queries.controller';

/** Inspections and recommendations: their commands, and their queries (read model and log). */
@Module({
  controllers: [RecommendationCommandsController, RecommendationQueriesController],
  providers: [RecommendationCommands],
})
export class RecommendationsModule {}
