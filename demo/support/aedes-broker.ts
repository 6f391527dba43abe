// An embedded MQTT broker (aedes) on a free loopback port, for when mosquitto is not installed: the demo
// falls back to it, and the tests run the MQTT sources against it as a second broker implementation.
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { findFreePort } from './local-servers';

export interface AedesHandle {
  readonly url: string;
  readonly port: number;
  /** Drops every client connection and stops listening (a crash, for reconnect tests). */
  kill(): Promise<void>;
  /** Listens again on the same port with a fresh broker. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startAedesBroker(): Promise<AedesHandle> {
  const port = await findFreePort();
  let broker: Aedes | undefined;
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const listen = async (): Promise<void> => {
    const b = await Aedes.createBroker();
    const s = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      b.handle(socket);
    });
    await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, '127.0.0.1', () => resolve()); });
    broker = b;
    server = s;
  };
  const down = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    const s = server;
    const b = broker;
    server = undefined;
    broker = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    if (b) await new Promise<void>((resolve) => b.close(() => resolve()));
  };
  await listen();
  return { url: `mqtt://127.0.0.1:${port}`, port, kill: down, restart: async () => { await down(); await listen(); }, stop: down };
}
