// Plumbing, not dev tooling: the worker process binds the Temporal runtime's metrics exporter
// to a loopback port of its choosing (workers/runtime.ts), and the kits start servers the same way.
import { createServer } from 'node:net';

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A loopback port held by a placeholder listener until `release()`, for a server that must know
 * its port before it can start (its public URL is in its configuration): nobody else can take
 * the port in between, as they could after `freePort()`.
 */
export async function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  const srv = createServer((socket) => socket.destroy());
  srv.unref();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = srv.address();
  if (typeof addr !== 'object' || !addr) throw new Error('no port');
  return { port: addr.port, release: () => new Promise<void>((resolve) => srv.close(() => resolve())) };
}
