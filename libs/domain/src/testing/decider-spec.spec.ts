import type { Decider } from '../decider';
import { deciderSpec } from './decider-spec';

// A tally that refuses to pass ten, and a variant that cheats by mutating its state.
type Counted = { type: 'Counted'; data: { by: number } };
type Count = { type: 'Count'; by: number };
class TooManyError extends Error {}
const tally: Decider<{ total: number }, Count, Counted> = {
  initialState: () => ({ total: 0 }),
  decide: (command, state) => {
    if (state.total + command.by > 10) throw new TooManyError();
    return command.by === 0 ? [] : { type: 'Counted', data: { by: command.by } };
  },
  evolve: (state, event) => ({ total: state.total + event.data.by }),
};
const mutating: typeof tally = {
  ...tally,
  evolve: (state, event) => {
    state.total += event.data.by;
    return state;
  },
};
const counted = (by: number): Counted => ({ type: 'Counted', data: { by } });

describe('deciderSpec', () => {
  const spec = deciderSpec(tally);

  it('passes when the decided events, the repeat or the error are the expected ones', () => {
    spec.given([counted(4)]).when({ type: 'Count', by: 2 }).then([counted(2)]);
    spec.given([counted(4)]).when({ type: 'Count', by: 0 }).then([]);
    spec.given([counted(4)]).when({ type: 'Count', by: 7 }).then(TooManyError);
    spec.given([counted(4)]).when({ type: 'Count', by: 2 }).thenState((state) => expect(state).toEqual({ total: 6 }));
  });

  it('fails when they are not', () => {
    expect(() => spec.given([]).when({ type: 'Count', by: 2 }).then([counted(3)])).toThrow();
    expect(() => spec.given([]).when({ type: 'Count', by: 2 }).then([])).toThrow();
    expect(() => spec.given([]).when({ type: 'Count', by: 2 }).then(TooManyError)).toThrow(/expected TooManyError/);
    expect(() => spec.given([counted(9)]).when({ type: 'Count', by: 2 }).then([counted(2)])).toThrow(TooManyError);
    expect(() => spec.given([counted(9)]).when({ type: 'Count', by: 2 }).then(RangeError)).toThrow();
  });

  it('fails a decider that mutates its state', () => {
    expect(() => deciderSpec(mutating).given([counted(1)]).when({ type: 'Count', by: 2 }).then([counted(2)])).toThrow(TypeError);
  });
});
