import { z } from 'zod';
import { RoleSchema } from '../roles.ts';
import { PageQuerySchema, pageSchema } from './pagination.dto.ts';

/*
 * Bodies of the identity API. Field names follow System A (snake_case) so its clients work
 * unchanged. Every request body is a strict object: a key the schema does not name (`orgId`,
 * `org_id`, `is_staff`, ...) is refused with 400 instead of being ignored or trusted.
 */

export const UsernameSchema = z
  .string()
  .regex(/^[\w.@+-]{1,150}$/, 'at most 150 letters, digits and @ . + - _')
  .describe('Unique across all organizations, so a client can log in with it alone.');

export const EmailSchema = z.email().max(254);

export const PasswordSchema = z
  .string()
  .min(8, 'at least 8 characters')
  .max(128, 'at most 128 characters')
  .refine((s) => !/^\d+$/.test(s), 'must not be entirely numeric');

const NameSchema = z.string().trim().max(150);

/** Display name of a new organization; its id is derived from it (see `orgIdFromName`). */
export const OrgNameSchema = z
  .string()
  .trim()
  .min(2)
  .max(64)
  .refine((s) => /[a-z0-9]/i.test(s), 'must contain a letter or digit');

export const RegisterRequestSchema = z
  .strictObject({
    username: UsernameSchema,
    email: EmailSchema,
    password: PasswordSchema,
    password2: z.string().max(128).optional().describe('When given, must equal `password`.'),
    first_name: NameSchema.default(''),
    last_name: NameSchema.default(''),
    org: OrgNameSchema.optional().describe(
      'Creates this organization with the registrant as its admin; without it the user joins the default organization.',
    ),
    role: z
      .literal('user')
      .optional()
      .describe('Only `user` is accepted; staff roles are granted by an admin.'),
  })
  .refine((b) => b.password2 === undefined || b.password2 === b.password, {
    path: ['password2'],
    message: 'the two passwords differ',
  })
  .meta({ id: 'RegisterRequest' });
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

export const LoginRequestSchema = z
  .strictObject({
    username: z.string().min(1).max(254).optional().describe('Username or email address.'),
    email: z.string().min(1).max(254).optional(),
    password: z.string().min(1).max(1024),
  })
  .refine((b) => b.username !== undefined || b.email !== undefined, {
    path: ['username'],
    message: 'username or email is required',
  })
  .meta({ id: 'LoginRequest' });
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const UserDtoSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    role: RoleSchema,
    org_id: z.string(),
    is_active: z.boolean(),
    date_joined: z.iso.datetime(),
  })
  .meta({ id: 'User' });
export type UserDto = z.infer<typeof UserDtoSchema>;

export const TokenPairSchema = z
  .object({
    access: z.string().describe('EdDSA-signed JWT; send as `Authorization: Bearer <access>`.'),
    refresh: z.string().describe('Opaque, single use: each refresh returns a new one.'),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().describe('Seconds until `access` expires.'),
  })
  .meta({ id: 'TokenPair' });
export type TokenPair = z.infer<typeof TokenPairSchema>;

export const LoginResponseSchema = TokenPairSchema.extend({ user: UserDtoSchema }).meta({
  id: 'LoginResponse',
});
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

export const RefreshRequestSchema = z.strictObject({ refresh: z.string().min(1).max(512) }).meta({
  id: 'RefreshRequest',
});

/** System A clients send their refresh token; the whole session ends either way. */
export const LogoutRequestSchema = z.strictObject({ refresh: z.string().max(512).optional() });

export const DetailSchema = z.object({ detail: z.string() });

export const ProfileUpdateRequestSchema = z
  .strictObject({
    email: EmailSchema.optional(),
    first_name: NameSchema.optional(),
    last_name: NameSchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' })
  .meta({ id: 'ProfileUpdateRequest' });
export type ProfileUpdateRequest = z.infer<typeof ProfileUpdateRequestSchema>;

export const UserSearchQuerySchema = PageQuerySchema.extend({
  q: z.string().trim().max(100).optional().describe('Matches username, email, first or last name.'),
  role: RoleSchema.optional(),
});
export type UserSearchQuery = z.infer<typeof UserSearchQuerySchema>;

export const UserPageSchema = pageSchema(UserDtoSchema).meta({ id: 'UserPage' });

export const CreateUserRequestSchema = z
  .strictObject({
    username: UsernameSchema,
    email: EmailSchema,
    password: PasswordSchema,
    first_name: NameSchema.default(''),
    last_name: NameSchema.default(''),
    role: RoleSchema.default('user'),
  })
  .meta({ id: 'CreateUserRequest' });
export type CreateUserRequest = z.infer<typeof CreateUserRequestSchema>;

export const UpdateUserRequestSchema = z
  .strictObject({ role: RoleSchema.optional(), is_active: z.boolean().optional() })
  .refine((b) => b.role !== undefined || b.is_active !== undefined, { message: 'nothing to change' })
  .meta({ id: 'UpdateUserRequest' });
export type UpdateUserRequest = z.infer<typeof UpdateUserRequestSchema>;

export const JwksSchema = z
  .object({ keys: z.array(z.object({ kid: z.string(), kty: z.string(), alg: z.string() }).passthrough()) })
  .meta({ id: 'Jwks' });
