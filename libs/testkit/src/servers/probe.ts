import net from 'node:net';

/** Resolves when host:port accepts a TCP connection, rejects with the socket error or a timeout. */
export function probeTcp(host: string, port: number, timeoutMs = 3_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

/** First host and port of a mongodb:// or amqp:// URL, or of a bare `host:port` address. */
export function hostPort(address: string, defaultPort: number): { host: string; port: number } {
  const withoutScheme = address.replace(/^[a-z+]+:\/\//i, '');
  const authority = (withoutScheme.split(/[/?]/)[0] ?? '').split('@').pop() ?? '';
  const first = authority.split(',')[0] ?? '';
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(first);
  if (!match?.[1]) throw new Error(`cannot read a host from "${address}"`);
  return { host: match[1].replace(/^\[|\]$/g, ''), port: match[2] ? Number(match[2]) : defaultPort };
}

/** Throws a message naming the server and the URL's origin when nothing answers there. */
export async function assertReachable(
  name: string,
  address: string,
  defaultPort: number,
  origin: string,
): Promise<void> {
  const { host, port } = hostPort(address, defaultPort);
  try {
    await probeTcp(host, port);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${name} at ${host}:${port} (${origin}) does not accept connections: ${reason}`);
  }
}
