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
 * administrator. This instance forgets it at once when it records a change itself; a change
 * recorded through another instance is seen here within this time.
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
  /** The register as last read, and until when (ms since the epoch) it is taken as the register now. */
  private cached: { readonly register: LpaRegister; readonly until: number } | undefined;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationBootstrap(): Promise<void> {
    const now = new Date().toISOString();
    await handleCommand(this.store, {
      streamId: LPA_REGISTER_STREAM,
      decider: lpaRegisterDecider,
      command: { type: 'OpenLpaRegister', actor: INSTALLATION, now, lpas: WEST_MERCIA_2017_LPAS },
      context: { commandId: deterministicId('lpa-register/open'), actor: INSTALLATION, correlationId: 'installation', now, repeatable: true },
    });
    this.cached = undefined;
  }

  /**
   * The register as the log has it now, to within REGISTER_TRUSTED_MS (or as it had it at `asOf`,
   * read each time): a handful of events, read whole.
   */
  async register(asOf?: string): Promise<LpaRegister> {
    if (asOf !== undefined) return (await readState(this.store, LPA_REGISTER_STREAM, lpaRegisterDecider, asOf)).state;
    const now = Date.now();
    if (this.cached !== undefined && now < this.cached.until) return this.cached.register;
    const { state } = await readState(this.store, LPA_REGISTER_STREAM, lpaRegisterDecider);
    this.cached = { register: state, until: now + REGISTER_TRUSTED_MS };
    return state;
  }

  /** The codes of the LPAs active on the date of `instant` (ISO 8601, Z). */
  async activeOn(instant: string): Promise<string[]> {
    return activeLpasOn(await this.register(), dateOf(instant));
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
    this.cached = undefined;
    return commandAnswer(this.store, body.code, result);
  }
}
