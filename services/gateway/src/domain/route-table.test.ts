import { describe, expect, it } from 'vitest';
import { hasDotSegment, isLogout, isPublicRoute, upstreamFor } from './route-table.ts';

describe('upstreamFor', () => {
  it.each([
    ['/api/auth', 'identity'],
    ['/api/auth/login/', 'identity'],
    ['/.well-known/jwks.json', 'identity'],
    ['/api/tickets', 'tickets'],
    ['/api/tickets/HD-000042/comments/', 'tickets'],
    ['/api/categories/3/', 'tickets'],
    ['/api/assignment-rules/', 'tickets'],
    ['/api/helpdesk/tickets/', 'tickets'],
    ['/api/sla/calendars/', 'sla'],
    ['/api/tickets/42/sla', 'sla'],
    ['/api/tickets/{id}/sla/', 'sla'],
    ['/api/tickets/42/sla/escalations/', 'sla'],
    ['/api/tickets/42/slab', 'tickets'],
    ['/api/reports/stats/', 'reporting'],
  ])('%s → %s', (path, service) => {
    expect(upstreamFor(path)).toBe(service);
  });

  it.each(['/api/authx', '/api/ticketsx/', '/api', '/internal/revocations', '/.well-known/other', '/'])(
    '%s belongs to nobody',
    (path) => {
      expect(upstreamFor(path)).toBeUndefined();
    },
  );
});

describe('isPublicRoute', () => {
  it('knows the token-issuing routes and the key set, with and without the trailing slash', () => {
    for (const p of ['/api/auth/register', '/api/auth/login/', '/api/auth/refresh/']) {
      expect(isPublicRoute('POST', p), p).toBe(true);
      expect(isPublicRoute('OPTIONS', p), p).toBe(true);
    }
    for (const p of ['/api/auth/jwks.json', '/.well-known/jwks.json']) {
      expect(isPublicRoute('GET', p), p).toBe(true);
      expect(isPublicRoute('HEAD', p), p).toBe(true);
    }
  });

  it('only for the methods those routes answer', () => {
    for (const m of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      expect(isPublicRoute(m, '/api/auth/login/'), m).toBe(false);
      expect(isPublicRoute(m, '/api/auth/register'), m).toBe(false);
    }
    for (const m of ['POST', 'PUT', 'DELETE'])
      expect(isPublicRoute(m, '/.well-known/jwks.json'), m).toBe(false);
  });

  it('matches whole paths only', () => {
    for (const p of ['/api/auth/logout/', '/api/auth/login/x', '/api/auth/profile/', '/API/AUTH/LOGIN/']) {
      expect(isPublicRoute('POST', p), p).toBe(false);
    }
  });
});

describe('isLogout', () => {
  it('is a POST to the logout route', () => {
    expect(isLogout('POST', '/api/auth/logout/')).toBe(true);
    expect(isLogout('POST', '/api/auth/logout')).toBe(true);
    expect(isLogout('GET', '/api/auth/logout/')).toBe(false);
    expect(isLogout('POST', '/api/auth/logout/all/')).toBe(false);
  });
});

describe('hasDotSegment', () => {
  it.each(['/a/../b', '/a/./b', '/a/..', '/a/%2e%2e/b', '/a/%2E./b', '/a/.?x=1'])('%s has one', (t) => {
    expect(hasDotSegment(t)).toBe(true);
  });
  it.each([
    '/api/auth/jwks.json',
    '/a/..b/',
    '/a/b.c/',
    '/a?x=../',
    '/a?q=a/./b',
    '/a?q=/..',
    '/a?q=%2e%2e/x',
  ])('%s has none (the query is not looked at)', (t) => {
    expect(hasDotSegment(t)).toBe(false);
  });
});
