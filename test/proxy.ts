/**
 * A TCP proxy a test can cut: it forwards to a real server (Postgres, Temporal's gRPC port) until
 * `stop()`, which refuses new connections and drops the open ones — to its clients exactly what a
 * stopped server looks like — and `start()` brings it back on the same port. `stall()` is a hung
 * server instead (a process stopped with SIGSTOP): connections are taken and kept, nothing is
 * answered; `start()` ends the stall.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface CuttableProxy {
  /** host:port clients should use. */
  address: string;
  port: number;
  stop(): Promise<void>;
  /** Keep every connection open and answer nothing (new ones too) until start(). */
  stall(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function cuttableProxy(target: { host: string; port: number }): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let stalled = false;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        sockets.add(client);
        client.on('close', () => sockets.delete(client));
        client.on('error', () => undefined);
        // A hung server's kernel still accepts: the connection is kept and never answered.
        if (stalled) return;
        const upstream = connect(target.port, target.host);
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.on('error', () => undefined);
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });
  const stop = async () => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };
  const stall = async () => {
    // The bytes already under way stop where they are: every open connection is cut off from its
    // other end (without closing either), and new ones are taken and left unanswered.
    stalled = true;
    for (const sock of sockets) {
      sock.unpipe();
      sock.pause();
    }
    if (!server) await listen();
  };
  await listen();
  return {
    get address() {
      return `127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    stop,
    stall,
    start: async () => {
      if (stalled) {
        // What was held is dropped (its callers gave up on it); clients reconnect to a live server.
        stalled = false;
        for (const sock of sockets) sock.destroy();
      }
      if (!server) await listen();
    },
    close: stop,
  };
}
