import { CreateUserBody, Id, RsError, UpdateUserBody, User } from '@rs/protocol';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineRoute } from '../../http/route.js';
import { hashPassword } from '../auth/password.js';
import { roleColumns, toUser } from './store.js';

export function registerUserRoutes(ctx: AppContext): void {
  const { app, users } = ctx;

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/users',
    summary: 'List users',
    tag: 'users',
    auth: 'admin',
    response: z.object({ users: z.array(User) }),
    handler: async () => ({ users: await users.list() }),
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/users',
    summary: 'Add a user',
    tag: 'users',
    auth: 'admin',
    body: CreateUserBody,
    response: User,
    handler: async ({ body, reply }) => {
      const user = await ctx.auth.createUser(body);
      reply.code(201);
      return user;
    },
  });

  defineRoute(app, ctx, {
    method: 'PATCH',
    url: '/api/users/:id',
    summary: 'Edit or disable a user',
    tag: 'users',
    auth: 'admin',
    params: z.object({ id: Id }),
    body: UpdateUserBody,
    response: User,
    handler: async ({ params, body, user: me }) => {
      const row = await users.byId(params.id);
      if (!row) throw RsError.notFound('No such user.');
      const losesAdmin =
        row.is_admin === 1 && row.disabled === 0 && (body.disabled === true || (body.roles !== undefined && !body.roles.admin));
      // Keep the site manageable: the last active admin cannot lock everyone out.
      if (losesAdmin && (await users.activeAdminCount()) <= 1) {
        throw RsError.invalidState('This is the last active admin. Make another user admin first.');
      }
      if (body.email && body.email.toLowerCase() !== row.email) {
        const other = await users.byEmail(body.email);
        if (other) throw new RsError('RS_ERR_CONFLICT', 'A user with this email exists.');
      }
      await users.update(params.id, {
        ...(body.email !== undefined ? { email: body.email } : {}),
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.password !== undefined ? { password_hash: await hashPassword(body.password) } : {}),
        ...(body.roles !== undefined ? roleColumns(body.roles) : {}),
        ...(body.disabled !== undefined ? { disabled: body.disabled ? 1 : 0 } : {}),
      });
      if (body.disabled === true || (body.password !== undefined && me?.id !== params.id)) await ctx.auth.revokeAll(params.id);
      const updated = await users.byId(params.id);
      if (!updated) throw RsError.notFound('No such user.');
      return toUser(updated);
    },
  });
}
