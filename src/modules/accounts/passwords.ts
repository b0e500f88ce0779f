import argon2 from 'argon2';

const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

// Verified against when no account matches, so that an unknown e-mail costs as much time as a
// wrong password and the response time does not reveal which e-mails exist.
let decoyHash: Promise<string> | undefined;

export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  decoyHash ??= hashPassword('decoy password that matches nothing');
  const target = hash ?? (await decoyHash);
  const matches = await argon2.verify(target, password).catch(() => false);
  return Boolean(hash) && matches;
}
