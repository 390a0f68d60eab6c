import { z } from 'zod';

const DomainRef = z.object({ id: z.string().optional(), name: z.string().optional() }).passthrough();
const NamedRef = z.object({ id: z.string().optional(), name: z.string().optional(), domain: DomainRef.optional() }).passthrough();

// POST /v3/auth/tokens (keystone/auth/schema.py, trimmed to what we honour).
export const AuthRequestSchema = z.object({
  auth: z
    .object({
      identity: z
        .object({
          methods: z.array(z.string()).min(1),
          password: z.object({ user: NamedRef.extend({ password: z.string() }) }).passthrough().optional(),
          token: z.object({ id: z.string() }).passthrough().optional(),
        })
        .passthrough(),
      scope: z.union([z.object({ project: NamedRef }).passthrough(), z.literal('unscoped')]).optional(),
    })
    .passthrough(),
});
export type AuthRequest = z.infer<typeof AuthRequestSchema>;
