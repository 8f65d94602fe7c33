/**
 * Who issues a command. The roles are DOMAIN.md's; an actor acts in one of them at a time (a user
 * holding several JWT roles is presented to the domain in the role the command needs).
 */
export const ROLES = ['strategic-lead', 'intelligence', 'registrar', 'lpa', 'board', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The role of the apps' own work (the worker recording a delivery, a process manager acting on
 * an event): an actor's role, never a token's, so that no caller can claim it.
 */
export const SYSTEM_ROLE = 'system';
export type ActorRole = Role | typeof SYSTEM_ROLE;

export interface Actor {
  readonly id: string;
  readonly name: string;
  readonly role: ActorRole;
  /** For the `lpa` role: the local policing area the user belongs to (the token's `lpa` claim). */
  readonly lpa?: string;
}

/**
 * What every command carries besides its own fields. `now` is the command's instant (ISO 8601,
 * `Z`): the domain's only clock. The command handler records both as event metadata, so events
 * repeat them in their data only where a rule needs them later (e.g. who proposed a closure).
 */
export interface CommandMetadata {
  readonly actor: Actor;
  readonly now: string;
}
