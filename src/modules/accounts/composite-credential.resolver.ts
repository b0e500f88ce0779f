import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Actor } from '../../common/auth/actor';
import { CredentialResolver, ResolveOptions } from '../../common/auth/credential-resolver';
import { ApiKeyCredentialResolver } from './api-key.credential-resolver';
import { JwtCredentialResolver } from './jwt-credential.resolver';

/**
 * The application's credential resolver: an API key when the request presents one (`bk_...` as
 * bearer token or in X-API-Key), otherwise whatever bearer token there is goes to the JWT resolver.
 */
@Injectable()
export class CompositeCredentialResolver implements CredentialResolver {
  private readonly resolvers: CredentialResolver[];

  constructor(apiKeys: ApiKeyCredentialResolver, jwt: JwtCredentialResolver) {
    this.resolvers = [apiKeys, jwt];
  }

  async resolve(request: FastifyRequest, options?: ResolveOptions): Promise<Actor | null> {
    for (const resolver of this.resolvers) {
      const actor = await resolver.resolve(request, options);
      if (actor) return actor;
    }
    return null;
  }
}
