import { describe, expect, it } from 'vitest';
import { mergeOpenApi, type OpenApiDocument } from './merge-openapi.ts';

const INFO = { title: 'Helpdesk API', version: '1' };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const opReturning = (schema: object) => ({
  responses: { '200': { description: 'ok', content: { 'application/json': { schema } } } },
});

describe('mergeOpenApi', () => {
  it('shares identical components and renames clashing ones with their references', () => {
    const identity: OpenApiDocument = {
      paths: { '/api/auth/profile/': { get: opReturning(ref('User')) } },
      components: { schemas: { User: { type: 'object' }, Problem: { type: 'object', title: 'p' } } },
    };
    const tickets: OpenApiDocument = {
      paths: { '/api/tickets/': { get: opReturning({ type: 'array', items: ref('User') }) } },
      components: { schemas: { User: { type: 'string' }, Problem: { type: 'object', title: 'p' } } },
    };
    const doc = mergeOpenApi(
      [
        { service: 'identity', doc: identity },
        { service: 'tickets', doc: tickets },
      ],
      [],
      INFO,
    );
    expect(doc.components?.schemas).toEqual({
      User: { type: 'object' },
      Problem: { type: 'object', title: 'p' },
      tickets_User: { type: 'string' },
    });
    expect(JSON.stringify(doc.paths?.['/api/tickets/'])).toContain('#/components/schemas/tickets_User');
    expect(JSON.stringify(doc.paths?.['/api/auth/profile/'])).toContain('#/components/schemas/User"');
  });

  it('keeps only paths the gateway routes to the service that documents them', () => {
    const doc = mergeOpenApi(
      [
        {
          service: 'identity',
          doc: {
            paths: {
              '/api/auth/login/': { post: {} },
              '/internal/revocations': { get: {} },
              '/api/tickets/': { get: {} },
            },
          },
        },
      ],
      [],
      INFO,
    );
    expect(Object.keys(doc.paths ?? {})).toEqual(['/api/auth/login/']);
  });

  it('marks operations with the gateway rule unless they say otherwise', () => {
    const doc = mergeOpenApi(
      [
        {
          service: 'identity',
          doc: {
            paths: {
              '/api/auth/login/': { post: {} },
              '/api/auth/profile/': { get: {}, patch: { security: [{ other: [] }] } },
            },
          },
        },
      ],
      [],
      INFO,
    );
    expect(doc.paths?.['/api/auth/login/']?.post).toEqual({ security: [] });
    expect(doc.paths?.['/api/auth/profile/']?.get).toEqual({ security: [{ bearer: [] }] });
    expect(doc.paths?.['/api/auth/profile/']?.patch).toEqual({ security: [{ other: [] }] });
    expect(doc.components?.securitySchemes).toHaveProperty('bearer');
  });

  it('names the services it could not include', () => {
    const doc = mergeOpenApi([], ['sla', 'reporting'], INFO);
    expect(doc['x-unavailable-services']).toEqual(['sla', 'reporting']);
    expect(doc).toMatchObject({ openapi: '3.1.0', info: INFO, paths: {} });
  });
});
