export * from './envelope.ts';
export * from './events/identity.events.ts';
export * from './http/auth.dto.ts';
export * from './http/pagination.dto.ts';
export * from './http/revocations.dto.ts';
export * from './problem.ts';
export * from './roles.ts';
