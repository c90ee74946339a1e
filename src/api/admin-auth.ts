/**
 * The one place the operator token is checked. Routes behind it are only registered when web.adminToken is set
 * (otherwise every /api/admin/* answers 404). The token is compared in constant time and never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../log/logger.js';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** An onRequest hook answering 401 unless the request carries `Authorization: Bearer <token>`. */
export function adminTokenGuard(token: string, logger: Logger): (req: FastifyRequest, reply: FastifyReply) => Promise<void> {
  if (token.length === 0) throw new Error('admin token must not be empty');
  const expected = digest(token);
  return async (req, reply) => {
    const header = req.headers.authorization;
    const presented = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : null;
    if (presented !== null && timingSafeEqual(digest(presented), expected)) return;
    const reason = presented === null ? 'missing admin token' : 'wrong admin token';
    logger.warn({ event: 'admin_denied', remote: req.ip, url: req.url.split('?')[0], reason }, `operator request refused: ${reason}`);
    await reply
      .status(401)
      .header('www-authenticate', 'Bearer realm="gxc-pool admin"')
      .send({ error: `${reason}: send Authorization: Bearer <web.adminToken>` });
  };
}
