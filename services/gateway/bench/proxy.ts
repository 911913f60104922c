// The baseline: the least a reverse proxy can do in Node, a keep-alive agent and two pipes.
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announce } from './keys.ts';

const target = new URL(process.env.BENCH_TARGET ?? 'http://127.0.0.1:8081');
const agent = new Agent({ keepAlive: true, maxSockets: 128 });
const server = createServer((req, res) => {
  const upstream = request(
    {
      host: target.hostname,
      port: target.port,
      path: req.url,
      method: req.method,
      headers: req.headers,
      agent,
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', () => res.writeHead(502).end());
  req.pipe(upstream);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => announce(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
