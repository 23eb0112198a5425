/**
 * How the API's HTTP server treats clients that are slow to send a request, or send none. Node's
 * defaults (60 s for the headers, checked every 30 s) held a socket that never finished its headers
 * for ~77 s, and a connection costs a descriptor: found from outside, 400 such sockets held at once
 * (slowloris). Here a request's headers must arrive within 10 s and the whole request within the
 * request deadline's 30 s, checked every second; the answer to one cut off is 408 and the socket is
 * closed. Kept-alive idle connections close after Node's 5 s as before.
 */
import type { ServerOptions } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';

export const httpServerOptions = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  connectionsCheckingInterval: 1_000,
} satisfies ServerOptions;

/** Serves `fetchFn` on a free loopback port with these options (the tests and the bench). */
export function serveOn(
  fetchFn: (r: Request) => Response | Promise<Response>,
): Promise<{ url: string; server: ServerType }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: fetchFn, hostname: '127.0.0.1', port: 0, serverOptions: httpServerOptions }, (i) =>
      resolve({ url: `http://127.0.0.1:${i.port}`, server }),
    );
  });
}
