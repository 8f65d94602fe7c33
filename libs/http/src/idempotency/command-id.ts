/**
 * The command id of each request, kept beside the request: derived from the Idempotency-Key
 * when there is one, random otherwise. Handlers pass it to `handleCommand` as
 * `CommandContext.commandId`.
 */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

const commandIds = new WeakMap<object, string>();

export function setCommandId(request: object, commandId: string): void {
  commandIds.set(request, commandId);
}

export function commandIdOf(request: object): string | undefined {
  return commandIds.get(request);
}

/** `@CommandId() commandId: string`: the id `handleCommand` derives the command's event ids from. */
export const CommandId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const commandId = commandIdOf(context.switchToHttp().getRequest<object>());
  if (commandId === undefined) {
    throw new Error('@CommandId() without a command id: is IdempotencyModule imported by the app?');
  }
  return commandId;
});
