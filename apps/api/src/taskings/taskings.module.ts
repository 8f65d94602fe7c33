import { Module } from '@nestjs/common';
import { LpaRegisterService } from './lpa-register.service';
import { TaskingQueriesController } from './tasking-queries.controller';
import { TaskingSourcesController } from './tasking-sources.controller';
import { TaskingSources } from './tasking-sources.service';
import { TaskingCommandsController } from './taskings.controller';
import { TaskingCommands } from './taskings.service';

/** Taskings, what they come from (intelligence requirements, audit findings), and the LPA register. */
@Module({
  controllers: [TaskingCommandsController, TaskingSourcesController, TaskingQueriesController],
  providers: [LpaRegisterService, TaskingCommands, TaskingSources],
  exports: [LpaRegisterService],
})
export class TaskingsModule {}
