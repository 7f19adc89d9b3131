import { accountRecords } from './accounting';

describe('accountRecords', () => {
  describe('when every acknowledged record is sealed and archived once', () => {
    it('reports nothing lost and nothing duplicated', () => {
      expect(accountRecords({ acknowledged: ['a', 'b'], sealed: ['a', 'b'], archived: ['b', 'a'] })).toMatchObject({
        acknowledged: 2,
        sealed: 2,
        archived: 2,
        lost: 0,
        duplicated: 0,
      });
    });

    it('does not count entries nobody acknowledged as lost (a send that timed out but was written)', () => {
      expect(accountRecords({ acknowledged: ['a'], sealed: ['a', 'x'], archived: ['a', 'x'] })).toMatchObject({ lost: 0, duplicated: 0, sealed: 2 });
    });
  });

  describe('when a record is missing from audit.sealed or from the archive', () => {
    it('counts it lost once, with the key as an example', () => {
      const result = accountRecords({ acknowledged: ['a', 'b', 'c'], sealed: ['a', 'c'], archived: ['a'] });
      expect(result).toMatchObject({ lost: 2, duplicated: 0 });
      expect(result.examples.lost.sort()).toEqual(['b', 'c']);
    });
  });

  describe('when a key appears twice', () => {
    it('counts it duplicated once, whether in audit.sealed, the archive or both', () => {
      const result = accountRecords({ acknowledged: ['a', 'b'], sealed: ['a', 'a', 'b'], archived: ['a', 'a', 'b', 'b'] });
      expect(result).toMatchObject({ lost: 0, duplicated: 2 });
      expect(result.examples.duplicated.sort()).toEqual(['a', 'b']);
    });
  });
});
