import { createHmac, generateKeyPairSync } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { startTestApp, TestApp } from '../support/test-app';
import { authFixtures } from './auth-fixtures';

function pemPair(kind: 'rsa' | 'ec') {
  const { privateKey, publicKey } =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const headerOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()) as { alg: string };
/** An HS256 JWT keyed with arbitrary bytes, built by hand (libraries refuse a PEM as HMAC key). */
function hs256(claims: object, key: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as object;

describe.each([
  ['RS256', 'rsa'],
  ['ES256', 'ec'],
] as const)('access tokens signed with %s', (algorithm, kind) => {
  let t: TestApp;
  let f: ReturnType<typeof authFixtures>;
  const keys = pemPair(kind);
  const other = pemPair(kind);

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        JWT_ALGORITHM: algorithm,
        // As an environment variable often holds it: on one line with \n escapes.
        JWT_PRIVATE_KEY: keys.privatePem.replace(/\n/g, '\\n'),
        JWT_PUBLIC_KEY: keys.publicPem,
      },
    });
    f = authFixtures(t);
  });
  afterAll(async () => t?.close());

  it('signs in, refreshes and authenticates with the key pair', async () => {
    const who = await f.account('staff');
    const session = await f.signIn(who);
    expect(headerOf(session.access_token).alg).toBe(algorithm);
    expect((await f.me(session.access_token)).body).toMatchObject({ id: who.userId, role: 'staff' });
    const refreshed = await f.refresh(session.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(headerOf(refreshed.body.access_token).alg).toBe(algorithm);
    expect((await f.me(refreshed.body.access_token)).status).toBe(200);
  });

  it('refuses algorithm confusion, other keys and other algorithms', async () => {
    const who = await f.account('owner');
    const claims = claimsOf((await f.signIn(who)).access_token);
    const forged = [
      // The classic confusion: HS256 keyed with the public key, which anyone may know.
      hs256(claims, keys.publicPem),
      hs256(claims, keys.publicPem.replace(/\n/g, '\\n')),
      sign(claims, process.env.JWT_SECRET!, { algorithm: 'HS256' }),
      sign(claims, '', { algorithm: 'none' }),
      sign(claims, other.privatePem, { algorithm }),
      sign(claims, kind === 'rsa' ? keys.privatePem : pemPair('rsa').privatePem, {
        algorithm: kind === 'rsa' ? 'RS512' : 'RS256',
      }),
    ];
    for (const token of forged) {
      const res = await f.me(token);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_token');
    }
  });
});
