// requireAuth: `Authorization: Bearer <token>` checked by the token service; sets the typed `user` variable.
import type { TokenService } from '../../features/auth/tokens.js';
import { factory } from '../app-env.js';
import { errors } from '../app-error.js';

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw errors.tokenInvalid('Authorization header must be "Bearer <token>"');
  return match[1];
}

export function requireAuth(tokens: TokenService) {
  return factory.createMiddleware(async (c, next) => {
    const user = await tokens.authenticate(bearerToken(c.req.header('authorization')));
    c.set('user', user);
    await next();
  });
}
