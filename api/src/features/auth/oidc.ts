// Single sign-on with an OpenID Connect provider (openid-client): authorization code flow with PKCE (S256), state
// and nonce kept in PostgreSQL (oidc_logins, so the callback may reach any API process), accounts linked by verified
// email, new accounts named from preferred_username or the email's local part, the role following OIDC_ADMIN_GROUPS.
import { sql } from 'drizzle-orm';
import * as client from 'openid-client';
import type { AppContext } from '../../context.js';
import type { Logger } from '../../lib/logger.js';
import { recordAudit } from '../audit/audit.js';

/** A sign-in must come back from the provider within this time. */
const LOGIN_TTL_MS = 10 * 60_000;

/** Why a sign-in through the provider is refused, in words for the page the browser lands on. */
export class OidcRefusal extends Error {
  constructor(
    readonly status: 400 | 403 | 503,
    message: string,
  ) {
    super(message);
    this.name = 'OidcRefusal';
  }
}

export interface OidcUser {
  id: number;
  username: string;
}

type Claims = Record<string, unknown>;

/** `preferred_username` (or the email's local part) made a valid username: letters, digits, underscores, 3–50. */
export function usernameFrom(claims: Claims, email: string): string {
  const preferred = typeof claims.preferred_username === 'string' ? claims.preferred_username : '';
  const raw = (preferred || email.split('@')[0] || 'user').normalize('NFKD');
  let name = raw
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 44);
  if (name.length < 3) name = `${name}_user`.replace(/^_/, '');
  return name;
}

export function createOidc(ctx: Pick<AppContext, 'db' | 'config' | 'clock' | 'tokens' | 'logger'>) {
  const { config } = ctx;
  const enabled = Boolean(config.OIDC_ISSUER && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET);
  const redirectUri = `${config.publicUrl}/api/auth/oidc/callback`;
  let discovered: Promise<client.Configuration> | undefined;

  /** The provider's metadata, fetched once (and again after a failure). */
  function configuration(): Promise<client.Configuration> {
    const issuer = new URL(config.OIDC_ISSUER!);
    discovered ??= client
      .discovery(
        issuer,
        config.OIDC_CLIENT_ID!,
        config.OIDC_CLIENT_SECRET!,
        undefined,
        // A provider on plain http (a test or a private network) must be allowed explicitly.
        issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((err: unknown) => {
        discovered = undefined;
        ctx.logger.warn({ err: { message: (err as Error).message } }, 'OIDC discovery failed');
        throw new OidcRefusal(503, 'The sign-in service cannot be reached right now. Try again in a moment.');
      });
    return discovered;
  }

  const scope = () => (config.OIDC_ADMIN_GROUPS.length ? 'openid email profile groups' : 'openid email profile');

  async function uniqueUsername(base: string): Promise<string> {
    for (let n = 1; n < 1000; n++) {
      const candidate = n === 1 ? base : `${base.slice(0, 44)}_${n}`;
      const taken = await ctx.db.execute(sql`select 1 from users where lower(username) = lower(${candidate})`);
      if (taken.rows.length === 0) return candidate;
    }
    throw new OidcRefusal(503, 'Could not choose a username for this account.');
  }

  /** The role the groups claim gives, keeping the last active admin one (never leave the install without one). */
  async function syncRole(userId: number, groups: unknown, log: Logger): Promise<void> {
    if (!config.OIDC_ADMIN_GROUPS.length) return;
    const list = Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [];
    const wanted = list.some((g) => config.OIDC_ADMIN_GROUPS.includes(g)) ? 'admin' : 'user';
    const result = await ctx.db.execute<{ role: string }>(sql`
      update users set role = ${wanted}
      where id = ${userId} and role <> ${wanted}
        and (${wanted} = 'admin'
             or exists (select 1 from users o where o.role = 'admin' and o.is_active and o.id <> ${userId}))
      returning role`);
    if (result.rows.length) {
      await ctx.tokens.publish({ scope: 'profile', userId });
      await recordAudit(
        ctx.db,
        { action: 'user.role', actorId: null, targetId: userId, detail: { role: wanted, source: 'oidc groups' } },
        log,
      );
    }
  }

  return {
    enabled,

    publicConfig: () => ({ enabled, name: config.OIDC_NAME, passwordLogin: config.PASSWORD_LOGIN }),

    /** Where to send the browser: the provider's authorization endpoint, with state, nonce and a PKCE challenge. */
    async authorizationUrl(): Promise<string> {
      const cfg = await configuration();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const verifier = client.randomPKCECodeVerifier();
      const now = ctx.clock.now();
      await ctx.db.execute(
        sql`delete from oidc_logins where created_at < ${new Date(now.getTime() - LOGIN_TTL_MS).toISOString()}`,
      );
      await ctx.db.execute(sql`
        insert into oidc_logins (state, nonce, code_verifier, created_at)
        values (${state}, ${nonce}, ${verifier}, ${now.toISOString()})`);
      return client
        .buildAuthorizationUrl(cfg, {
          redirect_uri: redirectUri,
          scope: scope(),
          state,
          nonce,
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        })
        .toString();
    },

    /**
     * The provider sent the browser back with `search` (code, state…): checks it (state once, nonce, PKCE), then finds,
     * links or creates the account. Throws OidcRefusal with words for the person.
     */
    async complete(search: URLSearchParams, log: Logger): Promise<OidcUser> {
      if (search.get('error')) {
        throw new OidcRefusal(400, `The sign-in was not completed (${search.get('error')}). Try again.`);
      }
      const state = search.get('state') ?? '';
      const login = await ctx.db.execute<{ nonce: string; code_verifier: string; created_at: string | Date }>(
        sql`delete from oidc_logins where state = ${state} returning nonce, code_verifier, created_at`,
      );
      const pending = login.rows[0];
      if (!pending || new Date(pending.created_at).getTime() < ctx.clock.now().getTime() - LOGIN_TTL_MS) {
        throw new OidcRefusal(400, 'This sign-in link has expired or was already used. Start again.');
      }
      const cfg = await configuration();
      let claims: Claims;
      try {
        const tokens = await client.authorizationCodeGrant(cfg, new URL(`${redirectUri}?${search.toString()}`), {
          pkceCodeVerifier: pending.code_verifier,
          expectedState: state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const idClaims = (tokens.claims() ?? {}) as Claims;
        const info = (await client.fetchUserInfo(cfg, tokens.access_token, String(idClaims.sub))) as Claims;
        claims = { ...idClaims, ...info };
      } catch (err) {
        log.warn({ err: { message: (err as Error).message } }, 'OIDC code exchange failed');
        throw new OidcRefusal(400, 'The identity provider’s answer could not be verified. Start again.');
      }

      const issuer = cfg.serverMetadata().issuer;
      const subject = String(claims.sub ?? '');
      const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
      if (!subject || !email) throw new OidcRefusal(403, 'The identity provider did not give an email address.');
      if (claims.email_verified !== true) {
        throw new OidcRefusal(
          403,
          'Your email address is not verified at the identity provider, so it cannot be used here.',
        );
      }
      const domain = email.split('@')[1] ?? '';
      if (config.OIDC_ALLOWED_DOMAINS.length && !config.OIDC_ALLOWED_DOMAINS.includes(domain)) {
        throw new OidcRefusal(403, `Accounts of ${domain} may not sign in here.`);
      }

      type Row = { id: number; username: string; is_active: boolean };
      const linked = await ctx.db.execute<Row>(sql`
        select u.id, u.username, u.is_active from user_identities i join users u on u.id = i.user_id
        where i.issuer = ${issuer} and i.subject = ${subject}`);
      let user = linked.rows[0];
      if (!user) {
        const byEmail = await ctx.db.execute<Row>(
          sql`select id, username, is_active from users where email = ${email}`,
        );
        user = byEmail.rows[0];
        if (!user) {
          const username = await uniqueUsername(usernameFrom(claims, email));
          const created = await ctx.db.execute<Row>(sql`
            insert into users (username, email, password_hash) values (${username}, ${email}, null)
            returning id, username, is_active`);
          user = created.rows[0]!;
          await recordAudit(
            ctx.db,
            {
              action: 'user.register',
              actorId: user.id,
              actorName: user.username,
              targetId: user.id,
              detail: { via: 'oidc' },
            },
            log,
          );
          log.info({ event: 'auth.register', userId: user.id, via: 'oidc' }, 'user registered through single sign-on');
        }
        await ctx.db.execute(sql`
          insert into user_identities (issuer, subject, user_id, email) values (${issuer}, ${subject}, ${user.id}, ${email})
          on conflict (issuer, subject) do nothing`);
      } else {
        await ctx.db.execute(
          sql`update user_identities set last_login_at = now(), email = ${email} where issuer = ${issuer} and subject = ${subject}`,
        );
      }
      if (!user.is_active) throw new OidcRefusal(403, 'This account is disabled.');
      await syncRole(user.id, claims.groups, log);
      return { id: user.id, username: user.username };
    },
  };
}

export type Oidc = ReturnType<typeof createOidc>;

/** The page a refused sign-in shows (plain HTML, no script: the API's CSP applies). */
export function refusalPage(message: string): string {
  const escaped = message.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in refused</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>Sign-in refused</h1><p>${escaped}</p><p><a href="/login">Back to log in</a></p></body></html>`;
}
