import type { Decider } from '../decider';
import type { TaskingCommand } from './tasking.commands';
import { decideTasking } from './tasking.decide';
import type { TaskingEvent } from './tasking.events';
import { evolveTasking, initialTaskingState, type TaskingState } from './tasking.state';

/** One stream per tasking, named by its id. */
export const taskingDecider: Decider<TaskingState, TaskingCommand, TaskingEvent> = {
  initialState: initialTaskingState,
  decide: decideTasking,
  evolve: evolveTasking,
};
