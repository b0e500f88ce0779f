import { createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';

export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';
export type MailTransport = 'sink' | 'smtp';

/** PEM text from an environment variable, where newlines are often written as `\n`. */
export function pemFromEnv(value: string): string {
  return value.replace(/\\n/g, '\n');
}

/** Outside production, reset e-mails go to a local file unless SMTP is asked for. */
export function mailTransportOf(config: { MAIL_TRANSPORT?: MailTransport; NODE_ENV: string }): MailTransport {
  return config.MAIL_TRANSPORT ?? (config.NODE_ENV === 'production' ? 'smtp' : 'sink');
}

function parseKey<T>(make: () => T): T | null {
  try {
    return make();
  } catch {
    return null;
  }
}

function keyMatchesAlgorithm(key: KeyObject, algorithm: JwtAlgorithm): boolean {
  if (algorithm === 'RS256') return key.asymmetricKeyType === 'rsa';
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

function signingKeyProblems(algorithm: 'RS256' | 'ES256', privatePem: string, publicPem: string): string[] {
  const kind = algorithm === 'RS256' ? 'an RSA' : 'a P-256 EC';
  const privateKey = parseKey(() => createPrivateKey(pemFromEnv(privatePem)));
  // createPublicKey would also take a private key (and derive its public half): refuse that, the
  // private key must not be spread to where only the public one belongs.
  const publicKey = /PRIVATE KEY/.test(publicPem) ? null : parseKey(() => createPublicKey(pemFromEnv(publicPem)));
  const problems: string[] = [];
  if (!privateKey || !keyMatchesAlgorithm(privateKey, algorithm)) {
    problems.push(`JWT_PRIVATE_KEY must be ${kind} private key in PEM for ${algorithm}`);
  }
  if (!publicKey || publicKey.type !== 'public' || !keyMatchesAlgorithm(publicKey, algorithm)) {
    problems.push(`JWT_PUBLIC_KEY must be ${kind} public key in PEM for ${algorithm}`);
  }
  if (problems.length === 0) {
    const probe = Buffer.from('beacon key pair check');
    if (!verify('sha256', probe, publicKey!, sign('sha256', probe, privateKey!))) {
      problems.push('JWT_PUBLIC_KEY does not belong to JWT_PRIVATE_KEY');
    }
  }
  return problems;
}

/**
 * Checks that involve several variables. They read the raw environment, so that they are reported
 * together with every other problem instead of after those are fixed.
 */
export function crossVariableProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const algorithm = env.JWT_ALGORITHM;
  if (algorithm === 'RS256' || algorithm === 'ES256') {
    const missing = ['JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEY'].filter((name) => !env[name]);
    for (const name of missing) problems.push(`${name} is required when JWT_ALGORITHM is ${algorithm}`);
    if (missing.length === 0)
      problems.push(...signingKeyProblems(algorithm, env.JWT_PRIVATE_KEY!, env.JWT_PUBLIC_KEY!));
  }
  const transport = mailTransportOf({
    MAIL_TRANSPORT: env.MAIL_TRANSPORT as MailTransport | undefined,
    NODE_ENV: env.NODE_ENV ?? 'development',
  });
  if (transport === 'smtp' && !env.SMTP_URL) {
    problems.push(
      env.MAIL_TRANSPORT
        ? 'SMTP_URL is required when MAIL_TRANSPORT is smtp'
        : 'SMTP_URL is required in production (or set MAIL_TRANSPORT=sink)',
    );
  }
  // Outside production the TOTP secrets' key is derived from JWT_SECRET; in production it must be
  // a key of its own, so that rotating the JWT secret does not lock every MFA user out.
  if (env.NODE_ENV === 'production' && !env.MFA_ENCRYPTION_KEY) {
    problems.push('MFA_ENCRYPTION_KEY is required in production');
  }
  // Likewise the event check-in codes' HMAC key: derived from JWT_SECRET only outside production.
  if (env.NODE_ENV === 'production' && !env.EVENT_CODE_SECRET) {
    problems.push('EVENT_CODE_SECRET is required in production');
  }
  return problems;
}
