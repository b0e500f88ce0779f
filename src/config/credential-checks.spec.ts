import { generateKeyPairSync } from 'node:crypto';
import { ConfigurationError, loadConfig } from './configuration';
import { crossVariableProblems, mailTransportOf } from './credential-checks';

const valid = {
  DATABASE_URL: 'postgres://app:pw@127.0.0.1:5432/beacon',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWT_SECRET: 'x'.repeat(32),
};

const pem = (key: { export(options: object): string | Buffer }, type: 'pkcs8' | 'spki') =>
  key.export({ type, format: 'pem' }).toString();

function rsaPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { priv: pem(privateKey, 'pkcs8'), pub: pem(publicKey, 'spki') };
}

describe('JWT algorithm configuration', () => {
  it('refuses RS256 and ES256 without both keys, naming them', () => {
    expect(crossVariableProblems({ ...valid, JWT_ALGORITHM: 'RS256' })).toEqual([
      'JWT_PRIVATE_KEY is required when JWT_ALGORITHM is RS256',
      'JWT_PUBLIC_KEY is required when JWT_ALGORITHM is RS256',
    ]);
    expect(() => loadConfig({ ...valid, JWT_ALGORITHM: 'ES256', JWT_PUBLIC_KEY: 'x' })).toThrow(
      /JWT_PRIVATE_KEY is required when JWT_ALGORITHM is ES256/,
    );
  });

  it('accepts a matching RSA pair, also with \\n escapes, and unescapes it', () => {
    const { priv, pub } = rsaPair();
    const escaped = priv.replace(/\n/g, '\\n');
    const config = loadConfig({ ...valid, JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: escaped, JWT_PUBLIC_KEY: pub });
    expect(config.JWT_PRIVATE_KEY).toBe(priv);
  });

  it('refuses keys of the wrong kind or of two different pairs', () => {
    const a = rsaPair();
    const b = rsaPair();
    expect(crossVariableProblems({ JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: a.priv, JWT_PUBLIC_KEY: b.pub })).toEqual([
      'JWT_PUBLIC_KEY does not belong to JWT_PRIVATE_KEY',
    ]);
    expect(crossVariableProblems({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: a.priv, JWT_PUBLIC_KEY: a.pub })).toEqual([
      'JWT_PRIVATE_KEY must be a P-256 EC private key in PEM for ES256',
      'JWT_PUBLIC_KEY must be a P-256 EC public key in PEM for ES256',
    ]);
    expect(crossVariableProblems({ JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: 'nope', JWT_PUBLIC_KEY: a.priv })).toEqual([
      'JWT_PRIVATE_KEY must be an RSA private key in PEM for RS256',
      'JWT_PUBLIC_KEY must be an RSA public key in PEM for RS256',
    ]);
  });

  it('accepts a P-256 pair for ES256', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const env = {
      JWT_ALGORITHM: 'ES256',
      JWT_PRIVATE_KEY: pem(privateKey, 'pkcs8'),
      JWT_PUBLIC_KEY: pem(publicKey, 'spki'),
    };
    expect(crossVariableProblems(env)).toEqual([]);
  });
});

describe('mail and MFA configuration', () => {
  it('sends mail to the sink outside production and needs SMTP in production', () => {
    expect(mailTransportOf({ NODE_ENV: 'test' })).toBe('sink');
    expect(mailTransportOf({ NODE_ENV: 'production' })).toBe('smtp');
    expect(crossVariableProblems({ NODE_ENV: 'development', MAIL_TRANSPORT: 'smtp' })).toEqual([
      'SMTP_URL is required when MAIL_TRANSPORT is smtp',
    ]);
    expect(
      crossVariableProblems({
        NODE_ENV: 'production',
        MFA_ENCRYPTION_KEY: 'k'.repeat(32),
        EVENT_CODE_SECRET: 'e'.repeat(32),
      }),
    ).toEqual(['SMTP_URL is required in production (or set MAIL_TRANSPORT=sink)']);
  });

  it('needs an MFA key of its own in production', () => {
    const problems = (() => {
      try {
        loadConfig({ ...valid, NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.com:587' });
      } catch (error) {
        return (error as ConfigurationError).problems;
      }
      return [];
    })();
    expect(problems).toEqual([
      'MFA_ENCRYPTION_KEY is required in production',
      'EVENT_CODE_SECRET is required in production',
    ]);
  });

  it('reads the login protection limits with their defaults', () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      JWT_ALGORITHM: 'HS256',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: 5,
      LOGIN_MAX_FAILURES_PER_IP: 20,
      LOGIN_FAILURE_WINDOW_SECONDS: 900,
      MAIL_SINK_PATH: 'var/mail/outbox.jsonl',
    });
  });
});
