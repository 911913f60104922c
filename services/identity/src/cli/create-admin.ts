import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { AppError, ValidationError } from '@helpdesk/kit';
import { makeEnvelope } from '@helpdesk/messaging';
import { ZodError } from 'zod';
import { loadCliConfig } from '../config.ts';
import { createPasswordHasher } from '../infra/argon2-password-hasher.ts';
import { openStore } from '../infra/store.ts';
import { createAdmin } from '../use-cases/create-admin.ts';
import { ensureDefaultOrg } from '../use-cases/ensure-default-org.ts';

const USAGE = `usage: create-admin --username U --email E [--org default] [--first-name F] [--last-name L]
                    [--password-stdin]   (else the password is read from ADMIN_PASSWORD)
                    [--if-missing]       (an admin of that name already there is success, for bootstrap jobs)`;

function fail(message: string): never {
  process.stderr.write(`create-admin: ${message}\n`);
  process.exit(1);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      username: { type: 'string' },
      email: { type: 'string' },
      org: { type: 'string', default: 'default' },
      'first-name': { type: 'string', default: '' },
      'last-name': { type: 'string', default: '' },
      'password-stdin': { type: 'boolean', default: false },
      'if-missing': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }).values;
}
try {
  args = parse();
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!args.username || !args.email) fail(`--username and --email are required\n${USAGE}`);

const config = loadCliConfig(process.env);
// One trailing newline is the terminator of `echo` or a here-string, not part of the password.
const password = args['password-stdin']
  ? (await text(process.stdin)).replace(/\r?\n$/, '')
  : config.ADMIN_PASSWORD;
if (!password) fail('give the password on stdin with --password-stdin, or in ADMIN_PASSWORD');

const store = await openStore(config.MONGO_URL);
try {
  const deps = {
    users: store.users,
    orgs: store.orgs,
    passwords: createPasswordHasher(),
    // The running service's outbox relay publishes `user.registered` on its next poll.
    events: { envelope: makeEnvelope, kick: () => {} },
    clock: () => new Date(),
  };
  await ensureDefaultOrg(deps);
  const { user, created } = await createAdmin(
    deps,
    {
      username: args.username,
      email: args.email,
      password,
      org: args.org,
      firstName: args['first-name'],
      lastName: args['last-name'],
    },
    { ifMissing: args['if-missing'] },
  );
  process.stdout.write(
    `${created ? 'created' : 'kept the existing'} admin ${user.username} (${user.id}) in org ${user.orgId}\n`,
  );
} catch (err) {
  if (err instanceof ZodError) fail(err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  if (err instanceof ValidationError) fail(err.fields.map((f) => `${f.path}: ${f.message}`).join('\n'));
  if (err instanceof AppError) fail(err.message);
  throw err;
} finally {
  await store.close();
}
