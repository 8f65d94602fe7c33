import { isRecordRef } from './validation';

describe('record references', () => {
  it('takes crime and incident numbers as record references, never a name', () => {
    expect(isRecordRef('22/12345/17')).toBe(true);
    expect(isRecordRef('Jane Doe')).toBe(false);
  });
});
