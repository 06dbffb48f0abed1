import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const OIDC_CLIENT = { id: 'opsline-test', secret: 'opsline-test-client-secret-0123456789' };

/** Who the provider signs in next, with their claims (`sub` is the account id). */
export interface OidcAccount {
  readonly sub: string;
  readonly name?: string;
  readonly email?: string;
  readonly email_verified?: boolean;
}

/**
 * A real OpenID Connect provider (the `oidc-provider` package) in the test process, on 127.0.0.1. Its
 * login and consent step is replaced by one that signs in `next` at once (no form to fill): the rest —
 * discovery, the authorization endpoint, PKCE, the code, the token endpoint, ID tokens, userinfo — is
 * the library's own. `register` is called once the bot's callback URL is known.
 */
export class OidcProvider {
  next: OidcAccount = { sub: 'alice' };
  #provider: Provider | undefined;
  readonly #server: Server = createServer((req, res) => void this.#handle(req, res));
  #port = 0;

  async listen(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  get issuer(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  register(redirectUri: string): void {
    const accounts = () => this.next;
    this.#provider = new Provider(this.issuer, {
      clients: [{ client_id: OIDC_CLIENT.id, client_secret: OIDC_CLIENT.secret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
      pkce: { required: () => true },
      claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      cookies: { keys: ['opsline-test-cookie-key'] },
      findAccount: (_ctx, id) => {
        const a = accounts();
        return { accountId: id, claims: () => ({ ...a, sub: id }) };
      },
    });
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const provider = this.#provider;
    if (!provider) {
      res.writeHead(503).end();
      return;
    }
    if (!req.url?.startsWith('/interaction/')) return provider.callback()(req, res);
    // Login and consent in one step, as a person who says yes to everything would.
    const details = await provider.interactionDetails(req, res);
    const accountId = this.next.sub;
    const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }
}
