import { chainId, MAX_CHAIN_ID_LENGTH, parseChainId } from './chain-id';

describe('chainId', () => {
  describe('when the parts are valid', () => {
    it('builds auditseal/v1/<cluster>/<topic>/<partition>', () => {
      expect(chainId({ cluster: 'prod-eu-1', topic: 'audit.events', partition: 3 })).toBe('auditseal/v1/prod-eu-1/audit.events/3');
    });

    it('accepts the longest names and the largest partition', () => {
      const id = chainId({ cluster: 'c'.repeat(249), topic: 't'.repeat(249), partition: 2147483647 });
      expect(id.length).toBe(MAX_CHAIN_ID_LENGTH);
      expect(parseChainId(id).partition).toBe(2147483647);
    });
  });

  describe('when a part is invalid', () => {
    it.each([
      [{ cluster: '', topic: 't', partition: 0 }],
      [{ cluster: 'a/b', topic: 't', partition: 0 }],
      [{ cluster: 'c', topic: '..', partition: 0 }],
      [{ cluster: 'c', topic: '.', partition: 0 }],
      [{ cluster: 'c', topic: 't'.repeat(250), partition: 0 }],
      [{ cluster: 'c', topic: 't', partition: -1 }],
      [{ cluster: 'c', topic: 't', partition: 1.5 }],
      [{ cluster: 'c', topic: 't', partition: 2147483648 }],
      [{ cluster: 'c', topic: 't', partition: Number.NaN }],
    ])('rejects %j with invalid_chain_id', (parts) => {
      expect(() => chainId(parts)).toThrow(expect.objectContaining({ code: 'invalid_chain_id' }));
    });
  });
});

describe('parseChainId', () => {
  describe('when the id is canonical', () => {
    it('returns its parts', () => {
      expect(parseChainId('auditseal/v1/A_b-9.x/T/10')).toEqual({ cluster: 'A_b-9.x', topic: 'T', partition: 10 });
    });
  });

  describe('when the id is not a string or not canonical', () => {
    it.each([
      [undefined],
      [42],
      ['auditseal/v1/c/t/00'],
      ['auditseal/v1/c/t/+1'],
      ['auditseal/v1/c/t/1 '],
      ['auditseal/v1/c/t/1/'],
      ['auditseal/v1/c//1'],
      ['auditseal/v1/c/t'],
      ['/auditseal/v1/c/t/1'],
      ['auditseal/v1/c/t/1\n'],
      ['auditseal/v1/c/t/99999999999'],
      [`auditseal/v1/${'c'.repeat(600)}/t/1`],
    ])('rejects %j with invalid_chain_id', (id) => {
      expect(() => parseChainId(id)).toThrow(expect.objectContaining({ code: 'invalid_chain_id' }));
    });
  });
});
