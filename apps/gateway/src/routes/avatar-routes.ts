import type { FastifyInstance } from 'fastify';
import { avatarView } from '../avatar-view.ts';
import type { GatewayContext } from '../context.ts';
import { createAvatar } from '../create-avatar.ts';
import { CREATE_AVATAR_SCHEMA, DELETE_AVATAR_SCHEMA, GET_AVATAR_SCHEMA, LIST_AVATARS_SCHEMA } from '../route-schemas.ts';

type AvatarParams = { Params: { avatarId: string } };
type PageQuery = { Querystring: { limit?: number; cursor?: string } };

/**
 * The /v1/avatars API. Registered in the scope of jobRoutes, whose hooks authenticate (Bearer key -> tenant) and
 * rate-limit every request; every avatar is the tenant's own (another tenant's id is GATEWAY_AVATAR_NOT_FOUND).
 */
export async function avatarRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  app.post('/v1/avatars', { schema: CREATE_AVATAR_SCHEMA }, async (request, reply) => {
    const record = await createAvatar(ctx, request, request.tenantId);
    request.log.info({ avatarId: record.id }, 'avatar stored');
    const view = avatarView(ctx, record);
    return reply.code(201).header('location', `${ctx.config.publicBaseUrl}/v1/avatars/${record.id}`).send(view);
  });

  app.get<PageQuery>('/v1/avatars', { schema: LIST_AVATARS_SCHEMA }, async (request) => {
    const limit = request.query.limit ?? 20;
    const cursor = request.query.cursor === undefined || request.query.cursor === '' ? null : request.query.cursor;
    const page = await ctx.avatars.list(request.tenantId, { limit, cursor });
    const next = page.nextCursor === null ? null : `${ctx.config.publicBaseUrl}/v1/avatars?limit=${limit}&cursor=${page.nextCursor}`;
    return { avatars: page.avatars.map((record) => avatarView(ctx, record)), nextCursor: page.nextCursor, next };
  });

  app.get<AvatarParams>('/v1/avatars/:avatarId', { schema: GET_AVATAR_SCHEMA }, async (request) => avatarView(ctx, await ctx.avatars.get(request.tenantId, request.params.avatarId)));

  app.delete<AvatarParams>('/v1/avatars/:avatarId', { schema: DELETE_AVATAR_SCHEMA }, async (request, reply) => {
    await ctx.avatars.delete(request.tenantId, request.params.avatarId);
    request.log.info({ avatarId: request.params.avatarId }, 'avatar deleted');
    return reply.code(204).send();
  });
}
