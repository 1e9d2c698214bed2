// A real OpenID Connect provider (oidc-provider) on 127.0.0.1 for the single sign-on tests. Its login screen is
// replaced by an interaction that signs in `next.account` and grants the scopes asked, so the code flow (PKCE,
// state, nonce, cookies, redirects) runs for real without typing. Created in two steps: the port first (the app
// needs the issuer), the provider once the app's redirect URI is known.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export type OidcClaims = Record<string, unknown>;

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Claims per account id (`sub`). */
  accounts: Map<string, OidcClaims>;
  /** The account the next sign-in logs in as. */
  next: { account: string };
  /** Starts answering, for a client whose redirect URI is `redirectUri`. */
  configure(redirectUri: string): void;
  close(): Promise<void>;
}

export async function startOidcProvider(): Promise<TestOidcProvider> {
  const accounts = new Map<string, OidcClaims>();
  const next = { account: '' };
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'chatbot';
  const clientSecret = 'chatbot-client-secret';

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    next,
    configure(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        claims: {
          openid: ['sub'],
          email: ['email', 'email_verified'],
          profile: ['preferred_username', 'name'],
          groups: ['groups'],
        },
        scopes: ['openid', 'email', 'profile', 'groups'],
        findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, ...accounts.get(id) }) }),
        features: { devInteractions: { enabled: false } },
        interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
        cookies: { keys: ['a-test-cookie-signing-key'] },
      });
      const handle = provider.callback();
      server.on('request', (req, res) => {
        if (!req.url?.startsWith('/interaction/')) {
          handle(req, res);
          return;
        }
        void (async () => {
          const details = await provider.interactionDetails(req, res);
          const accountId = next.account;
          const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
          grant.addOIDCScope(String(details.params.scope));
          const grantId = await grant.save();
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId }, consent: { grantId } },
            { mergeWithLastSubmission: false },
          );
        })().catch((err: Error) => {
          res.statusCode = 500;
          res.end(err.message);
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
