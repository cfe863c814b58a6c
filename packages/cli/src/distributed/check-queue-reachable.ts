/**
 * Checks, before any work starts, that the Redis of `--queue` answers: the host is reachable,
 * the password is accepted, TLS works. Later connections reconnect forever (a Redis restart is
 * survived); this first one fails fast, so a typo in the URL is a one-line error instead of a
 * command that waits silently.
 */
import { Redis } from 'ioredis';
import { UsageError } from '../usage-error.js';
import type { QueueAddress } from './queue-url.js';

/**
 * Connects once (no retries), sends PING and disconnects; throws a one-line {@link UsageError}
 * naming the masked URL and Redis's or the network's answer.
 *
 * @example
 * await checkQueueReachable('sweep', parseQueueUrl('sweep', '--queue', 'redis://127.0.0.1:6379'));
 */
export async function checkQueueReachable(
  command: string,
  address: QueueAddress,
  timeoutMilliseconds = 10_000,
): Promise<void> {
  const client = new Redis({
    ...address.connection,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMilliseconds,
  });
  // The cause (WRONGPASS, a certificate error, ECONNREFUSED) comes as an 'error' event; the
  // rejection itself often only says 'Connection is closed.'.
  let cause: Error | undefined;
  client.on('error', (error: Error) => {
    cause ??= error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new UsageError(
      `vane ${command}: cannot use the queue at ${address.display}: ${(cause ?? (error as Error)).message.split('\n')[0]}`,
    );
  } finally {
    client.disconnect();
  }
}
