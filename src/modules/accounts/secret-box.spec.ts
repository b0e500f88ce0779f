import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox('k'.repeat(40));

  it('opens what it sealed, and seals the same text differently each time', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed)).toBe('JBSWY3DPEHPK3PXP');
    expect(box.seal('JBSWY3DPEHPK3PXP')).not.toBe(sealed);
  });

  it('refuses another key, altered text and a truncated tag', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP');
    expect(new SecretBox('j'.repeat(40)).open(sealed)).toBeNull();
    const [version, iv, tag, ciphertext] = sealed.split('.');
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] ^= 1;
    expect(box.open([version, iv, tag, flipped.toString('base64url')].join('.'))).toBeNull();
    expect(box.open([version, iv, tag.slice(0, 8), ciphertext].join('.'))).toBeNull();
    expect(box.open('plain text')).toBeNull();
  });

  it('needs enough key material', () => {
    expect(() => new SecretBox('short')).toThrow(/32 characters/);
  });
});
