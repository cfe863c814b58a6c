// A real redis-server (Debian's /usr/bin/redis-server) for the distributed tests: on 127.0.0.1,
// on a free port of its own (never 6379, where the Debian package's own service may listen),
// in a temporary directory, without persistence unless asked, stopped by the test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessGroup, TestProcess } from './processes.js';

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Start with `--requirepass`. */
  password?: string;
  /** Serve TLS only, with a self-signed certificate for 127.0.0.1 (see {@link RedisServer.caFile}). */
  tls?: boolean;
  /** Append-only file with fsync on every write, so that a restart keeps the queue. */
  persistent?: boolean;
  /** Where to make the server's directory (default the system's temporary directory). */
  parent?: string;
}

/** A started server. */
export interface RedisServer {
  readonly port: number;
  /** Its data directory (and certificates). */
  readonly directory: string;
  /** The CA certificate that signed the server's certificate (TLS only). */
  readonly caFile?: string;
  /** Stops it (SIGTERM), leaves it down for `downMilliseconds`, and starts it again on the same port with the same files. */
  restart(downMilliseconds: number): Promise<void>;
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Makes a CA and a server certificate for 127.0.0.1 signed by it, with openssl. */
function makeCertificates(directory: string): { ca: string; cert: string; key: string } {
  const file = (name: string) => join(directory, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', timeout: 20_000 });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=vane-test-ca',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
  );
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.crt'),
  );
  return { ca: file('ca.crt'), cert: file('server.crt'), key: file('server.key') };
}

/** Starts redis-server as a child of `processes` and waits until it accepts connections. */
export async function startRedisServer(
  processes: ProcessGroup,
  options: RedisServerOptions = {},
): Promise<RedisServer> {
  const port = await freePort();
  const directory = mkdtempSync(join(options.parent ?? tmpdir(), 'vane-redis-'));
  const args = ['--bind', '127.0.0.1', '--dir', directory, '--save', '', '--protected-mode', 'no', '--daemonize', 'no'];
  args.push(...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  if (options.password) args.push('--requirepass', options.password);
  let caFile: string | undefined;
  if (options.tls) {
    const certificates = makeCertificates(directory);
    caFile = certificates.ca;
    args.push(
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--tls-cert-file',
      certificates.cert,
      '--tls-key-file',
      certificates.key,
      '--tls-ca-cert-file',
      certificates.ca,
      '--tls-auth-clients',
      'no',
    );
  } else {
    args.push('--port', String(port));
  }
  let server: TestProcess;
  const start = async () => {
    server = processes.start(`redis-server:${port}`, '/usr/bin/redis-server', args);
    await server.waitFor(/Ready to accept connections/, 15_000);
  };
  await start();
  return {
    port,
    directory,
    caFile,
    async restart(downMilliseconds) {
      server.kill('SIGTERM');
      await server.exited;
      await new Promise((resolve) => setTimeout(resolve, downMilliseconds));
      await start();
    },
  };
}
