import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from './fakes.ts';

// The documentation pages in a real browser: both UIs must render the merged document with
// nothing but what the gateway itself serves (no CDN; the machines running this have no internet).
const CHROMIUM = '/usr/bin/chromium';
const op = (summary: string) => ({ summary, responses: { '200': { description: 'ok' } } });

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (scripts/test.sh does)`);
  }
  stack = await startStack({
    openapi: {
      identity: {
        openapi: '3.1.0',
        info: { title: 'identity', version: '1' },
        paths: {
          '/api/auth/login/': { post: op('Log in') },
          '/api/auth/register/': { post: op('Register') },
        },
      },
      tickets: {
        openapi: '3.1.0',
        info: { title: 'tickets', version: '1' },
        paths: { '/api/tickets/': { get: op('List tickets') } },
      },
    },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function open(path: string) {
  const page = await browser.newPage();
  const foreign: string[] = [];
  const errors: string[] = [];
  // ReDoc's footer asks for a logo from its CDN; the page's CSP stops that request in the
  // browser, so what counts is that nothing from elsewhere was ever answered.
  page.on('response', (res) => {
    const url = res.url();
    if (!url.startsWith(stack.url) && !url.startsWith('data:') && !url.startsWith('blob:')) foreign.push(url);
    if (res.status() >= 400) errors.push(`${res.status()} ${url}`);
  });
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    // Failed loads are reported above with their URL.
    const text = msg.text();
    if (
      msg.type() === 'error' &&
      !text.includes('Content Security Policy') &&
      !text.startsWith('Failed to load resource')
    ) {
      errors.push(text);
    }
  });
  await page.goto(`${stack.url}${path}`);
  return { page, foreign, errors };
}

describe('API documentation pages', () => {
  it('Swagger UI at /swagger/ renders the auth operations from local assets only', async () => {
    const { page, foreign, errors } = await open('/swagger/');
    const login = page.locator('.opblock-summary-path', { hasText: '/api/auth/login/' });
    await login.first().waitFor({ timeout: 20_000 });
    expect(await page.locator('.opblock-summary-path').allTextContents()).toEqual(
      expect.arrayContaining(['/api/auth/login/', '/api/auth/register/', '/api/tickets/']),
    );
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('ReDoc at /redoc/ renders the auth operations from local assets only', async () => {
    const { page, foreign, errors } = await open('/redoc/');
    await page.getByText('Log in').first().waitFor({ timeout: 20_000 });
    expect(await page.getByText('/api/auth/login/').count()).toBeGreaterThan(0);
    expect(await page.getByText('List tickets').count()).toBeGreaterThan(0);
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
