import { loadStoreConfig } from '../config.ts';
import { openStore } from '../infra/store.ts';
import { rotateSigningKey } from '../use-cases/rotate-signing-key.ts';
import { rotationDeps } from '../wiring.ts';

/*
 * Puts a new signing key in charge now (e.g. after a suspected leak, or on a schedule).
 * Running replicas pick it up within SIGNING_KEY_RELOAD; tokens signed by the old key stay
 * valid until they expire, because the old public key stays in the JWKS until then.
 */
const config = loadStoreConfig(process.env);
const store = await openStore(config.MONGO_URL);
try {
  const { kid } = await rotateSigningKey(rotationDeps(config, store));
  process.stdout.write(`new signing key ${kid}\n`);
} finally {
  await store.close();
}
