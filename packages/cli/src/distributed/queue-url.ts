/**
 * The `--queue` URL: `redis://[[user]:password@]host[:port][/db]` or `rediss://…` for TLS,
 * turned into ioredis connection options. The password never appears in Vane's output: every
 * message shows {@link QueueAddress.display}, which masks it.
 */
import { isIP } from 'node:net';
import type { RedisOptions } from 'ioredis';
import { UsageError } from '../usage-error.js';

/** A parsed `--queue` URL. */
export interface QueueAddress {
  /** ioredis options for BullMQ's connections (TLS, password, database, reconnection). */
  readonly connection: RedisOptions;
  /** The URL with the password replaced by `***`, for messages. */
  readonly display: string;
}

/** Waits between reconnection attempts: 100 ms after the first failure, growing to 2 s. */
function reconnectDelay(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt, 5), 2000);
}

/**
 * Parses `text` (the value of `flag` of `vane <command>`) into connection options, or throws a
 * one-line {@link UsageError} naming the flag and the problem.
 *
 * The options make every connection outlive a Redis restart: `maxRetriesPerRequest: null`
 * (BullMQ requires it for workers: a command waits for the reconnection instead of failing),
 * a retry strategy that never gives up, and `enableOfflineQueue` (commands issued while
 * disconnected are sent once the connection is back).
 *
 * @example
 * parseQueueUrl('sweep', '--queue', 'rediss://:secret@redis.lab:6380/2');
 * // { connection: { host: 'redis.lab', port: 6380, password: 'secret', db: 2, tls: { servername: 'redis.lab' }, … }, display: 'rediss://:***@redis.lab:6380/2' }
 */
export function parseQueueUrl(command: string, flag: string, text: string): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `vane ${command}: ${flag} must be a URL such as redis://127.0.0.1:6379 or rediss://:password@host:6380, got '${text}'`,
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new UsageError(
      `vane ${command}: ${flag} must start with redis:// or rediss:// (TLS), got '${url.protocol}//' in '${text}'`,
    );
  }
  if (url.hostname === '') throw new UsageError(`vane ${command}: ${flag} names no host: '${text}'`);
  if (url.search !== '' || url.hash !== '')
    throw new UsageError(
      `vane ${command}: ${flag} takes no query or fragment ('${url.search}${url.hash}' in the URL); see docs/distributed.md`,
    );
  const port = url.port === '' ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path))
    throw new UsageError(`vane ${command}: ${flag}'s path must be a database number such as /0, got '/${path}'`);
  // IPv6 hosts come bracketed from URL ('[::1]'); ioredis wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const connection: RedisOptions = {
    host,
    port,
    ...(url.username !== '' && { username: decodeURIComponent(url.username) }),
    ...(url.password !== '' && { password: decodeURIComponent(url.password) }),
    ...(path !== '' && { db: Number(path) }),
    // Node's TLS defaults: the server certificate is verified against the system's CAs and
    // NODE_EXTRA_CA_CERTS; servername enables SNI and the host-name check.
    // (SNI takes host names only, so an IP address gets no servername; it is still checked.)
    ...(url.protocol === 'rediss:' && { tls: isIP(host) === 0 ? { servername: host } : {} }),
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: reconnectDelay,
  };
  const masked = new URL(url.href);
  if (masked.password !== '') masked.password = '***';
  return { connection, display: masked.href.replace(/\/$/, '') };
}
