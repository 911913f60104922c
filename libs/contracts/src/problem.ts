import { z } from 'zod';

/** RFC 9457 problem details, with our stable `code` and the `requestId`. */
export const ProblemFieldSchema = z.object({
  path: z.string(),
  message: z.string(),
});

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    requestId: z.string().optional(),
    errors: z.array(ProblemFieldSchema).optional(),
  })
  .passthrough();
export type Problem = z.infer<typeof ProblemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
