/**
 * How the API's HTTP server treats clients that are slow to send a request, or send none. Node's
 * defaults (60 s for the headers, checked every 30 s) held a socket that never finished its headers
 * for ~77 s, and a connection costs a descriptor: found from outside, 400 such sockets held at once
 * (slowloris). Here a request's headers must arrive within 10 s and the whole request within the
 * request deadline's 30 s, checked every second; the answer to one cut off is 408 and the socket is
 * closed. Kept-alive idle connections close after Node's 5 s as before.
 */
import type { ServerOptions } from 'node:http';

export const httpServerOptions = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  connectionsCheckingInterval: 1_000,
} satisfies ServerOptions;
