import { Module } from '@nestjs/common';
import { LpaRegisterService } from './lpa-register.service';
import { TaskingCommandsController } from './taskings.controller';
import { TaskingCommands } from './taskings.service';

/** Taskings and the LPA register: their commands. */
@Module({
  controllers: [TaskingCommandsController],
  providers: [LpaRegisterService, TaskingCommands],
})
export class TaskingsModule {}
