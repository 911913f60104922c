import { z } from 'zod';

export const RoleSchema = z.enum(['user', 'agent', 'admin']);
export type Role = z.infer<typeof RoleSchema>;

export const isStaff = (role: Role): boolean => role === 'agent' || role === 'admin';
