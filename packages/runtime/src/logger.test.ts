import { AuditSealError } from '@auditseal/core';
import { createJsonLogger } from './logger';

describe('createJsonLogger', () => {
  const lines: string[] = [];
  const logger = createJsonLogger({ service: 'chainer', level: 'info', write: (l) => lines.push(l), now: () => new Date(0) });
  beforeEach(() => lines.splice(0));

  it('writes one JSON object per line with namespace and fields', () => {
    logger.child('partition').info('sealed', { partition: 3, offset: 10n, hash: new Uint8Array([1, 255]) });
    expect(JSON.parse(lines[0]!)).toEqual({
      time: '1970-01-01T00:00:00.000Z',
      level: 'info',
      service: 'chainer',
      ns: 'chainer.partition',
      msg: 'sealed',
      partition: 3,
      offset: '10',
      hash: '01ff',
    });
  });

  it('drops lines below the level', () => {
    logger.debug('noise');
    expect(lines).toEqual([]);
  });

  it('expands errors with code, details and cause', () => {
    const error = new AuditSealError('gap', 'chain broken', { details: { seq: 4 }, cause: new Error('root') });
    logger.error('stopped', { error });
    expect(JSON.parse(lines[0]!).error).toEqual({ name: 'AuditSealError', message: 'chain broken', code: 'gap', retriable: false, details: { seq: 4 }, cause: { name: 'Error', message: 'root' } });
  });
});
