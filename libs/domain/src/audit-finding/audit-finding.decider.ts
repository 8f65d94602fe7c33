import type { Decider } from '../decider';
import type { AuditFindingCommand } from './audit-finding.commands';
import { decideAuditFinding } from './audit-finding.decide';
import type { AuditFindingEvent } from './audit-finding.events';
import { evolveAuditFinding, initialAuditFindingState, type AuditFindingState } from './audit-finding.state';

/** One stream per finding, named by its id (chosen by the caller). */
export const auditFindingDecider: Decider<AuditFindingState, AuditFindingCommand, AuditFindingEvent> = {
  initialState: initialAuditFindingState,
  decide: decideAuditFinding,
  evolve: evolveAuditFinding,
};
