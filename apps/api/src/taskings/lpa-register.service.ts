import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import {
  type Actor,
  activeLpasOn,
  dateOf,
  LPA_REGISTER_STREAM,
  type LpaRegister,
  lpaRegisterDecider,
  type RecordLpa,
  SYSTEM_ROLE,
  WEST_MERCIA_2017_LPAS,
} from '@app/domain';
import { EVENT_STORE, type EventStore, deterministicId, handleCommand, readState } from '@app/event-store';
import { type CommandAnswer, commandAnswer } from '@app/http';
import { type CommandRequest, commandContext } from '../commands/command-call';

const INSTALLATION: Actor = { id: 'installation', name: 'Installation', role: SYSTEM_ROLE };

/**
 * How long the register as last read is taken as the register now. It is read for every command
 * that names an LPA and every queue read, and a read of the log adds about a third to a command's
 * CPU under load (`npm run bench:http`), while the register changes a few times a year, by an
 * administrator. What this bounds: an LPA ended through another api instance may still be taken
 * as active here for this long. An LPA added elsewhere is never refused for it (a code the register
 * as last read lacks sends for it again); a change recorded through this instance, and a read that
 * asks for `?position=`, read the log.
 */
export const REGISTER_TRUSTED_MS = 1_000;

/**
 * The LPA register (DOMAIN.md, "Local policing areas"): opened with West Mercia's five 2017 LPAs
 * when the api first starts (once, whichever process starts first: the opening's event id is
 * fixed, so a second opening is recognised as a repeat), read for the LPAs active on a date, and
 * changed by an administrator one LPA at a time.
 */
@Injectable()
export class LpaRegisterService implements OnApplicationBootstrap {
  /**
   * The last read of the register (the promise, so that reads at the same moment share it, and a
   * change recorded while it is in flight can drop it) and when it was made (performance.now()).
   */
  private last: { readonly register: Promise<LpaRegister>; readonly at: number } | undefined;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationBootstrap(): Promise<void> {
    const now = new Date().toISOString();
    await handleCommand(this.store, {
      streamId: LPA_REGISTER_STREAM,
      decider: lpaRegisterDecider,
      command: { type: 'OpenLpaRegister', actor: INSTALLATION, now, lpas: WEST_MERCIA_2017_LPAS },
      context: { commandId: deterministicId('lpa-register/open'), actor: INSTALLATION, correlationId: 'installation', now, repeatable: true },
    });
  }

  /**
   * The register as the log has it now, to within REGISTER_TRUSTED_MS, or `fresh` from the log;
   * or as it had it at `asOf`, read each time. A handful of events, read whole.
   */
  register(options: { readonly asOf?: string; readonly fresh?: boolean } = {}): Promise<LpaRegister> {
    if (options.asOf !== undefined) return this.read(options.asOf);
    const now = performance.now();
    if (!options.fresh && this.last !== undefined && now - this.last.at < REGISTER_TRUSTED_MS) return this.last.register;
    const register = this.read();
    const last = { register, at: now };
    this.last = last;
    // A failed read is not kept: the next one asks the log again.
    register.catch(() => {
      if (this.last === last) this.last = undefined;
    });
    return register;
  }

  /**
   * The codes of the LPAs active on the date of `instant` (ISO 8601, Z). `named`, the codes a
   * command names: should one be missing from the register as last read, the log is read again,
   * so that an LPA just added through another instance is not refused.
   */
  async activeOn(instant: string, named: readonly string[] = []): Promise<string[]> {
    const active = activeLpasOn(await this.register(), dateOf(instant));
    if (named.every((code) => active.includes(code))) return active;
    return activeLpasOn(await this.register({ fresh: true }), dateOf(instant));
  }

  /** Adds or ends one LPA; answers with the LPA's code as the id, and the register's revision (its ETag). */
  async record(body: Omit<RecordLpa, 'type' | 'actor' | 'now'>, request: CommandRequest, expectedRevision?: number): Promise<CommandAnswer> {
    const result = await handleCommand(this.store, {
      streamId: LPA_REGISTER_STREAM,
      decider: lpaRegisterDecider,
      command: { type: 'RecordLpa', actor: request.actor, now: request.now, ...body },
      context: commandContext(request),
      expectedRevision,
    });
    // Every read from before the change, finished or in flight, is dropped.
    this.last = undefined;
    return commandAnswer(this.store, body.code, result);
  }

  private async read(asOf?: string): Promise<LpaRegister> {
    return (await readState(this.store, LPA_REGISTER_STREAM, lpaRegisterDecider, asOf)).state;
  }
}
