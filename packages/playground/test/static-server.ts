/**
 * A tiny static file server for the built playground (dist/), on 127.0.0.1 and a free port,
 * optionally with the cross-origin isolation headers (COOP/COEP) a page needs for
 * SharedArrayBuffer: the page must work both ways.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** A running server and its base address (`http://127.0.0.1:<port>/`). */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `root` (index.html for `/`); 404 for anything outside it or missing.
 *
 * @example
 * const server = await serveStatic('dist', { isolated: true });
 */
export async function serveStatic(root: string, options: { isolated: boolean }): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    const headers: Record<string, string> = options.isolated
      ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
      : {};
    if (!file.startsWith(normalize(root) + sep)) {
      response.writeHead(404, headers).end();
      return;
    }
    readFile(file).then(
      (body) =>
        response
          .writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' })
          .end(body),
      () => response.writeHead(404, headers).end('not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
