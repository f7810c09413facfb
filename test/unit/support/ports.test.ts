import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { expect, test, vi } from 'vitest';
import { claimPort, freePort, freePorts } from '../../support/ports.js';

function listenOn(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

test('test ports are distinct, bindable and outside the ephemeral range outgoing connections draw from', async () => {
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
  const ports = await freePorts(50);
  expect(new Set(ports).size).toBe(50);
  for (const port of ports) {
    expect(port < low || port > high, `${port} lies in the ephemeral range ${low}-${high}`).toBe(true);
    await listenOn(port);
  }
});

test('a port is never handed out twice, even once it is free again', async () => {
  // The same draw twice, then another: the second call must skip the port it already gave.
  const draws = vi.spyOn(Math, 'random').mockReturnValueOnce(0.37).mockReturnValueOnce(0.37).mockReturnValueOnce(0.61);
  try {
    const first = await freePort();
    const second = await freePort();
    expect(second).not.toBe(first);
    expect(draws).toHaveBeenCalledTimes(3);
  } finally {
    draws.mockRestore();
  }
});

test('a given port is claimed once, and only while nothing listens on it', async () => {
  const [port] = (await freePorts(1)) as [number];
  expect(await claimPort(port), 'a port already handed out').toBe(false);
  // A port the OS gives a listener: never handed out by freePort, busy until the listener closes.
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const address = holder.address();
  const other = typeof address === 'object' && address ? address.port : 0;
  try {
    expect(await claimPort(other), 'a port something listens on').toBe(false);
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
  expect(await claimPort(other)).toBe(true);
  expect(await claimPort(other), 'claimed twice').toBe(false);
});
