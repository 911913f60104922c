import { parseArgs } from 'node:util';
import { loadStoreConfig } from '../config.ts';
import { openStore } from '../infra/store.ts';
import { rotateSigningKey } from '../use-cases/rotate-signing-key.ts';
import { rotationDeps } from '../wiring.ts';

/*
 * Puts a new signing key in charge now (on a schedule, or after a suspected leak). Running
 * replicas pick it up within SIGNING_KEY_RELOAD. By default tokens signed by the old key stay
 * valid until they expire, because the old public key stays in the JWKS until then;
 * `--compromised` deletes the old keys at once, so those tokens stop verifying too.
 */
const USAGE = `usage: rotate-signing-key [--compromised]
  --compromised   remove the old keys from the JWKS now instead of when their tokens expire;
                  every access token issued so far stops working (clients refresh or log in)`;

function fail(message: string): never {
  process.stderr.write(`rotate-signing-key: ${message}\n`);
  process.exit(1);
}

let args: { compromised: boolean; help: boolean };
try {
  args = parseArgs({
    options: {
      compromised: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }).values;
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const config = loadStoreConfig(process.env);
const store = await openStore(config.MONGO_URL);
try {
  const { kid, removed } = await rotateSigningKey(rotationDeps(config, store), {
    compromised: args.compromised,
  });
  process.stdout.write(`new signing key ${kid}\n`);
  if (args.compromised) process.stdout.write(`removed keys: ${removed.join(' ') || '(none)'}\n`);
} finally {
  await store.close();
}
