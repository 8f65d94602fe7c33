import { AccessDeniedError } from './auth.errors';
import { actorFor } from './actor-for';
import type { Principal } from './principal';

describe('actorFor', () => {
  const principal: Principal = { id: 'u-1', name: 'Analyst', roles: ['intelligence', 'strategic-lead'] };

  it('presents the principal in the first allowed role it holds, in the order the command prefers', () => {
    expect(actorFor(principal, ['strategic-lead', 'intelligence'])).toEqual({
      id: 'u-1',
      name: 'Analyst',
      role: 'strategic-lead',
    });
    expect(actorFor(principal, 'intelligence').role).toBe('intelligence');
  });

  it('refuses a principal holding none of the roles', () => {
    expect(() => actorFor(principal, ['board'])).toThrow(AccessDeniedError);
  });
});
