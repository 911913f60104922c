import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildStageSteps, replayBuildStage } from './dockerfile-build.ts';
import { checkImageTree } from './image-tree.ts';
import { SERVICES } from './service-config.ts';
import { ROOT } from './tools.ts';

// The image's build stage, replayed without Docker: the same COPY and RUN steps, in a temporary
// directory standing for /app. What runs here is what `docker build` runs.
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const dirs: string[] = [];
const workdir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'image-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the Dockerfile build stage', () => {
  it('when parsed, then it installs with install-prod.sh and bundles the sla workflows', () => {
    const runs = buildStageSteps(dockerfile)
      .filter((s) => s.instruction === 'RUN')
      .map((s) => s.args);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's build argument
    expect(runs.some((r) => r.startsWith('scripts/deploy/install-prod.sh "${SERVICE}"'))).toBe(true);
    expect(
      runs.some((r) =>
        r.includes('node scripts/deploy/bundle-sla-workflows.ts services/sla/workflow-bundle.js'),
      ),
    ).toBe(true);
  });

  it.each(SERVICES)(
    'when replayed for %s, then production dependencies alone load the service up to its config check',
    (service) => {
      const dir = workdir();
      replayBuildStage(dockerfile, service, dir);
      expect(checkImageTree(dir, service)).toEqual([]);
    },
    180_000,
  );

  it('when a build stage forgets to copy the libs, then the tree check fails on the missing modules', () => {
    const dir = workdir();
    replayBuildStage(dockerfile.replace(/^COPY libs\/kit\/src .*$/m, ''), 'tickets', dir);
    const problems = checkImageTree(dir, 'tickets');
    expect(problems.join('\n')).toMatch(
      /did not stop at config validation .*ERR_MODULE_NOT_FOUND|Cannot find module/s,
    );
  }, 180_000);
});
