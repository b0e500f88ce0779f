import type { FastifyRequest } from 'fastify';
import { Actor } from '../../common/auth/actor';
import { UnauthenticatedError } from '../../common/errors/domain-error';
import { TenantDatabase } from '../../database/tenant-database.service';
import { ApiKeyCredentialResolver } from './api-key.credential-resolver';
import { CompositeCredentialResolver } from './composite-credential.resolver';
import { JwtCredentialResolver } from './jwt-credential.resolver';

const KEY = `bk_${'A'.repeat(22)}_abcdefgh_${'x'.repeat(43)}`;
const keyActor: Actor = { kind: 'api_key', keyId: 'k', tenantId: 't', scopes: ['customers:read'] };
const userActor: Actor = { kind: 'user', userId: 'u', tenantId: 't', role: 'admin' };

function setUp() {
  const apiKeys = new ApiKeyCredentialResolver({} as TenantDatabase);
  const jwt = { resolve: () => Promise.resolve(null) } as unknown as JwtCredentialResolver;
  const authenticate = jest.spyOn(apiKeys, 'authenticate').mockResolvedValue(keyActor);
  const verifyJwt = jest.spyOn(jwt, 'resolve').mockResolvedValue(userActor);
  return { resolver: new CompositeCredentialResolver(apiKeys, jwt), authenticate, verifyJwt };
}

const requestWith = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;

describe('CompositeCredentialResolver', () => {
  it('sends bk_ bearer tokens and X-API-Key to key checking, never to the JWT resolver', async () => {
    const presentations: Array<Record<string, string>> = [{ authorization: `Bearer ${KEY}` }, { 'x-api-key': KEY }];
    for (const headers of presentations) {
      const { resolver, authenticate, verifyJwt } = setUp();
      await expect(resolver.resolve(requestWith(headers))).resolves.toBe(keyActor);
      expect(authenticate).toHaveBeenCalledWith(KEY);
      expect(verifyJwt).not.toHaveBeenCalled();
    }
  });

  it('sends any other bearer token to the JWT resolver', async () => {
    const { resolver, authenticate, verifyJwt } = setUp();
    await expect(resolver.resolve(requestWith({ authorization: 'Bearer eyJ.x.y' }))).resolves.toBe(userActor);
    expect(authenticate).not.toHaveBeenCalled();
    expect(verifyJwt).toHaveBeenCalled();
  });

  it('passes a refused key on instead of falling back to the JWT resolver', async () => {
    const { resolver, authenticate, verifyJwt } = setUp();
    authenticate.mockRejectedValue(new UnauthenticatedError('The API key is invalid.', 'invalid_api_key'));
    await expect(resolver.resolve(requestWith({ 'x-api-key': 'nonsense' }))).rejects.toMatchObject({
      code: 'invalid_api_key',
    });
    expect(verifyJwt).not.toHaveBeenCalled();
  });

  it('answers null when the request carries no credential', async () => {
    const { resolver, verifyJwt } = setUp();
    verifyJwt.mockResolvedValue(null);
    await expect(resolver.resolve(requestWith({}))).resolves.toBeNull();
  });
});
