import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Where test servers' ports are drawn from: below the kernel's ephemeral range when there is room.
 * A port the OS hands out for `listen(0)` comes from the ephemeral range, which outgoing
 * connections use too: between the check and a server's bind (or across a server's restart on the
 * same port) a client socket of a parallel test could take it, which CI once saw as Consul's
 * "bind: address already in use". Ports outside that range are never taken that way.
 */
const DRAW_FROM = 10_000;
const MIN_ROOM = 2000;

function drawRange(): { low: number; high: number } | undefined {
  let ephemeralLow = 32_768;
  let ephemeralHigh = 60_999;
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) [ephemeralLow, ephemeralHigh] = [low as number, high as number];
  } catch {
    // Not Linux: assume its default range.
  }
  if (ephemeralLow - 1 - DRAW_FROM >= MIN_ROOM) return { low: DRAW_FROM, high: ephemeralLow - 1 };
  if (65_535 - ephemeralHigh >= MIN_ROOM) return { low: ephemeralHigh + 1, high: 65_535 };
  return undefined;
}

const range = drawRange();
/** Ports this process has handed out: never twice, so a server's port is not given to the next one while it is down. */
const handedOut = new Set<number>();

/** Resolves with the port once `port` (0: the OS picks) could be bound on 127.0.0.1, with undefined when it is in use. */
function tryBind(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.on('error', () => resolve(undefined));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** A TCP port free on 127.0.0.1 right now, random and outside the ephemeral range (never a fixed well-known port). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = range ? range.low + Math.floor(Math.random() * (range.high - range.low + 1)) : 0;
    if (handedOut.has(candidate)) continue;
    const port = await tryBind(candidate);
    if (port !== undefined && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free TCP port found on 127.0.0.1 after 200 tries');
}

/**
 * Claims one given port (e.g. the P+1000 a Nacos server derives from P) when it is free on
 * 127.0.0.1 now and not handed out before: true when it is now this caller's.
 */
export async function claimPort(port: number): Promise<boolean> {
  if (port < 1 || port > 65_535 || handedOut.has(port)) return false;
  if ((await tryBind(port)) !== port) return false;
  handedOut.add(port);
  return true;
}

/** Several distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort());
  return ports;
}
