import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { undocumentedVariables } from './docs-rules.ts';
import { allConfigVariables, SERVICES } from './service-config.ts';
import { ROOT } from './tools.ts';

describe('docs/operations.md', () => {
  it('when read, then its configuration reference names every variable of every service config', async () => {
    const doc = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
    const variables = await allConfigVariables([...SERVICES]);
    expect(variables.size).toBeGreaterThan(40);
    expect(undocumentedVariables(doc, variables.keys())).toEqual([]);
  }, 30_000);

  it('when a variable is missing from a document, then the check names it', () => {
    expect(undocumentedVariables('`PORT` and MONGO_URL without backticks', ['PORT', 'MONGO_URL'])).toEqual([
      'MONGO_URL',
    ]);
  });
});
