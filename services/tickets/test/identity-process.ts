import { startService, stopService, testServers, uniqueDbUrl } from '@helpdesk/testkit';

export interface IdentityProcess {
  url: string;
  output: () => string;
  /** HTTP against identity; JSON in and out. */
  call(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  ): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/**
 * The real identity service as its own process on a free port, with a fresh database: the
 * tickets service's project cannot import identity's code, and a process is what it talks to in
 * production anyway. Resolves once `/readyz` answers.
 */
export async function startIdentityProcess(env: Record<string, string> = {}): Promise<IdentityProcess> {
  const { mongoUrl, amqpUrl } = testServers();
  const identity = await startService('identity', {
    MONGO_URL: uniqueDbUrl(mongoUrl, 'identity'),
    AMQP_URL: amqpUrl,
    TRUST_PROXY: 'true',
    ...env,
  });
  const { url } = identity;
  let ip = 0;
  return {
    url,
    output: identity.output,
    async call(method, path, body, token) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          // Each call from its own address, so the login throttle never joins in.
          'x-client-ip': `198.51.100.${(ip++ % 250) + 1}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    stop: async () => {
      await stopService(identity);
    },
  };
}
