import { Module } from '@nestjs/common';
import { RecommendationCommandsController } from './recommendation-commands.controller';
import { RecommendationCommands } from './recommendation-commands.service';

/** Inspections and recommendations: their commands (and, with the read model, their queries). */
@Module({
  controllers: [RecommendationCommandsController],
  providers: [RecommendationCommands],
})
export class RecommendationsModule {}
