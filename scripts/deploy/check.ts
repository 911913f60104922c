// The deployment checks outside the test runner, for a quick look while editing manifests:
//   node scripts/deploy/check.ts            check both overlays, docker-compose.yml and the Dockerfile
//   node scripts/deploy/check.ts render dev print the rendered overlay
// The same checks run in CI as scripts/deploy/*.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkManifests, OVERLAYS, overlayDir } from './check-k8s.ts';
import { checkCompose, parseCompose } from './compose-rules.ts';
import { checkDockerfile } from './dockerfile-rules.ts';
import { lintDockerfile } from './hadolint.ts';
import { renderKustomization } from './render.ts';
import { ROOT } from './tools.ts';

const [command, overlay] = process.argv.slice(2);
if (command === 'render') {
  if (!overlay || !(OVERLAYS as readonly string[]).includes(overlay)) {
    console.error(`usage: check.ts render ${OVERLAYS.join('|')}`);
    process.exit(2);
  }
  process.stdout.write(renderKustomization(overlayDir(overlay)).yaml);
  process.exit(0);
}

let failed = false;
const report = (what: string, problems: string[]) => {
  failed ||= problems.length > 0;
  console.log(
    problems.length === 0 ? `ok    ${what}` : `FAIL  ${what}\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
};
for (const name of OVERLAYS) {
  report(`deploy/k8s/overlays/${name}`, await checkManifests(renderKustomization(overlayDir(name)).objects));
}
report(
  'docker-compose.yml',
  await checkCompose(parseCompose(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'))),
);
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
report('Dockerfile', [...lintDockerfile(dockerfile), ...checkDockerfile(dockerfile)]);
process.exitCode = failed ? 1 : 0;
