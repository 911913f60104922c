import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDockerfile } from './dockerfile-rules.ts';
import { lintDockerfile } from './hadolint.ts';
import { ROOT } from './tools.ts';

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

describe('Dockerfile', () => {
  it('when linted with hadolint, then it has no finding', () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
  });

  it('when checked, then it builds on Node 24 slim and runs node as a numeric non-root user', () => {
    expect(checkDockerfile(dockerfile)).toEqual([]);
  });

  it('when hadolint reads a careless Dockerfile, then it reports its findings', () => {
    const findings = lintDockerfile(
      'FROM node:latest\nRUN apt-get update && apt-get install -y curl\nCMD node main.js\n',
    );
    expect(findings.join('\n')).toMatch(/DL3007/);
    expect(findings.join('\n')).toMatch(/DL3008|DL3009|DL3015/);
    expect(findings.join('\n')).toMatch(/DL3025/);
  });

  it.each([
    ['runs as root', dockerfile.replace(/^USER .*$/m, ''), /sets no USER/],
    ['names its user', dockerfile.replace(/^USER .*$/m, 'USER node'), /USER node: not a numeric/],
    [
      'starts through a shell',
      dockerfile.replace(/^CMD .*$/m, 'CMD node src/main.ts'),
      /not start in exec form/,
    ],
    [
      'starts a wrapper',
      dockerfile.replace(/^CMD .*$/m, 'CMD ["sh", "-c", "node src/main.ts"]'),
      /starts sh, not node/,
    ],
    [
      'uses another Node',
      dockerfile.replace(/^ARG NODE_IMAGE=.*$/m, 'ARG NODE_IMAGE=node:22-bookworm'),
      /not a Node 24 slim image/,
    ],
    [
      'installs its own way',
      dockerfile.replace(/^RUN scripts\/deploy\/install-prod\.sh.*$/m, 'RUN pnpm install'),
      /install-prod\.sh/,
    ],
  ])('when the Dockerfile %s, then the check fails', (_, text, finding) => {
    expect(checkDockerfile(text).join('\n')).toMatch(finding);
  });
});

describe('.dockerignore', () => {
  it('when read, then it keeps secrets, dependencies and local state out of the build context', () => {
    const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const p of [
      '**/node_modules',
      '.git',
      '.tools',
      '.data',
      '.env',
      '.env.*',
      '**/*.pem',
      '**/*.key',
    ]) {
      expect(patterns).toContain(p);
    }
  });
});
