// Rebuilds the reports from the raw event log: `pnpm --filter @helpdesk/reporting rebuild [--org X]`.
// Needs only MONGO_URL (the reporting database); safe while the service runs (see rebuildProjections).
import { parseArgs } from 'node:util';
import { createLogger } from '@helpdesk/kit';
import { z } from 'zod';
import { openStore } from '../infra/store.ts';
import { rebuildProjections } from '../use-cases/rebuild-projections.ts';

const { values } = parseArgs({ options: { org: { type: 'string' } } });
const env = z
  .object({
    MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// URL'),
    LOG_LEVEL: z.string().default('info'),
  })
  .parse(process.env);
const logger = createLogger({ name: 'reporting-rebuild', level: env.LOG_LEVEL });
const store = await openStore(env.MONGO_URL);
try {
  const result = await rebuildProjections(
    { ...store, clock: () => new Date() },
    values.org ? { orgId: values.org } : {},
  );
  for (const org of result.orgs) logger.info(org, 'org rebuilt');
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (err) {
  logger.error({ err }, 'rebuild failed');
  process.exitCode = 1;
} finally {
  await store.close();
}
