import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/** A signing key, its JWKS (as JSON) and one long-lived access token, as identity would issue. */
export async function benchCredentials(): Promise<{ jwks: string; token: string }> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA');
  const jwks = JSON.stringify({
    keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'EdDSA', use: 'sig' }],
  });
  const token = await new SignJWT({ org: 'default', role: 'agent', sid: 'bench-session' })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'bench' })
    .setIssuer('helpdesk-identity')
    .setAudience('helpdesk')
    .setSubject('bench-user')
    .setJti('bench-jti')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  return { jwks, token };
}

/** Tells the parent where the child listens (the bench forks each server as its own process). */
export function announce(url: string, describe?: string): void {
  process.send?.({ url, describe });
  process.once('SIGTERM', () => process.exit(0));
  process.once('disconnect', () => process.exit(0));
}
