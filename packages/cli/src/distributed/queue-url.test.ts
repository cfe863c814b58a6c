import { describe, expect, it } from 'vitest';
import { parseQueueUrl } from './queue-url.js';

describe('parseQueueUrl', () => {
  it('reads host, port, password, user and database, and masks the password', () => {
    const address = parseQueueUrl('sweep', '--queue', 'redis://alice:p%40ss@redis.lab:6390/3');
    expect(address.connection).toMatchObject({
      host: 'redis.lab',
      port: 6390,
      username: 'alice',
      password: 'p@ss',
      db: 3,
      maxRetriesPerRequest: null,
    });
    expect(address.connection.tls).toBeUndefined();
    expect(address.display).toBe('redis://alice:***@redis.lab:6390/3');
    expect(parseQueueUrl('worker', '--queue', 'redis://127.0.0.1').connection).toMatchObject({
      host: '127.0.0.1',
      port: 6379,
    });
  });

  it('turns rediss:// into TLS options (SNI for host names only)', () => {
    expect(parseQueueUrl('sweep', '--queue', 'rediss://:secret@redis.lab:6380').connection).toMatchObject({
      tls: { servername: 'redis.lab' },
      password: 'secret',
      port: 6380,
    });
    expect(parseQueueUrl('sweep', '--queue', 'rediss://127.0.0.1:6380').connection.tls).toEqual({});
    expect(parseQueueUrl('sweep', '--queue', 'rediss://[::1]:6380').connection).toMatchObject({ host: '::1', tls: {} });
  });

  it('never gives up reconnecting (a Redis restart is survived)', () => {
    const { retryStrategy } = parseQueueUrl('worker', '--queue', 'redis://h:1').connection;
    expect([1, 10, 1000].map((attempt) => retryStrategy!(attempt))).toEqual([200, 2000, 2000]);
  });

  it.each([
    ['redis.lab:6379', /--queue must start with redis:\/\/ or rediss:\/\/ \(TLS\), got 'redis\.lab:\/\/'/],
    ['not a url', /--queue must be a URL such as redis:\/\/127\.0\.0\.1:6379/],
    ['http://redis.lab:6379', /must start with redis:\/\/ or rediss:\/\//],
    ['redis://h:6379/queue', /path must be a database number such as \/0, got '\/queue'/],
    ['redis://h:6379?tls=true', /takes no query or fragment/],
    ['redis://h:99999', /must be a URL/],
  ])('refuses %s naming the flag', (text, message) => {
    expect(() => parseQueueUrl('sweep', '--queue', text)).toThrow(message);
  });
});
