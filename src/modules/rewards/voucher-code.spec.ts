import fc from 'fast-check';
import {
  checkSymbol,
  formatVoucherCode,
  generateVoucherCode,
  parseVoucherCode,
  VOUCHER_ALPHABET,
  VOUCHER_CODE_LENGTH,
  VOUCHER_RANDOM_BITS,
  VOUCHER_RANDOM_SYMBOLS,
} from './voucher-code';

const symbolsArb = fc
  .array(fc.constantFrom(...VOUCHER_ALPHABET), {
    minLength: VOUCHER_RANDOM_SYMBOLS,
    maxLength: VOUCHER_RANDOM_SYMBOLS,
  })
  .map((symbols) => symbols.join(''));
const codeArb = symbolsArb.map((symbols) => symbols + checkSymbol(symbols));

describe('voucher codes', () => {
  it('are 12 symbols of an alphabet without I, L, O and U, carrying at least 50 random bits', () => {
    expect(VOUCHER_ALPHABET).toHaveLength(32);
    expect(VOUCHER_ALPHABET).not.toMatch(/[ILOU]/);
    expect(VOUCHER_RANDOM_BITS).toBeGreaterThanOrEqual(50);
    const code = generateVoucherCode();
    expect(code).toMatch(new RegExp(`^[${VOUCHER_ALPHABET}]{${VOUCHER_CODE_LENGTH}}$`));
    expect(parseVoucherCode(code)).toBe(code);
  });

  it('draws every symbol of the alphabet and does not repeat itself', () => {
    const codes = Array.from({ length: 5000 }, () => generateVoucherCode());
    expect(new Set(codes).size).toBe(codes.length);
    const seen = new Set(codes.flatMap((code) => [...code.slice(0, VOUCHER_RANDOM_SYMBOLS)]));
    expect(seen.size).toBe(32);
  });

  it('takes its randomness from the source it is given (crypto by default)', () => {
    const zeros = generateVoucherCode((size) => new Uint8Array(size));
    expect(zeros).toBe('000000000000');
    // Only the low five bits of each byte count: 0xff and 0x1f both give the last symbol.
    const high = generateVoucherCode((size) => new Uint8Array(size).fill(0xff));
    const low = generateVoucherCode((size) => new Uint8Array(size).fill(0x1f));
    expect(high).toBe(low);
    expect(high.startsWith('Z'.repeat(VOUCHER_RANDOM_SYMBOLS))).toBe(true);
  });

  it('prints in groups of four and reads back whatever way people type it', () => {
    const symbols = '7K3MPQ2RT9V';
    const valid = symbols + checkSymbol(symbols);
    const printed = formatVoucherCode(valid);
    expect(printed).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(parseVoucherCode(printed)).toBe(valid);
    expect(parseVoucherCode(printed.toLowerCase())).toBe(valid);
    expect(parseVoucherCode(` ${printed.replace(/-/g, ' ')} `)).toBe(valid);
  });

  it('reads O as 0 and I or L as 1', () => {
    const symbols = '10A10B10C10';
    const valid = symbols + checkSymbol(symbols);
    expect(parseVoucherCode(valid.replace(/0/g, 'O').replace(/1/g, 'I'))).toBe(valid);
    expect(parseVoucherCode(valid.replace(/1/g, 'l').replace(/0/g, 'o'))).toBe(valid);
  });

  it('refuses other symbols and other lengths', () => {
    const valid = generateVoucherCode();
    expect(parseVoucherCode(valid.slice(1))).toBeNull();
    expect(parseVoucherCode(`${valid}0`)).toBeNull();
    expect(parseVoucherCode(`${valid.slice(0, 5)}U${valid.slice(6)}`)).toBeNull();
    expect(parseVoucherCode(`${valid.slice(0, 5)}*${valid.slice(6)}`)).toBeNull();
    expect(parseVoucherCode('')).toBeNull();
  });

  it('detects every single mistyped symbol, at every position', () => {
    fc.assert(
      fc.property(codeArb, (code) => {
        expect(parseVoucherCode(code)).toBe(code);
        for (let position = 0; position < code.length; position++) {
          for (const typo of VOUCHER_ALPHABET) {
            if (typo === code[position]) continue;
            const mistyped = code.slice(0, position) + typo + code.slice(position + 1);
            if (parseVoucherCode(mistyped) !== null) throw new Error(`${mistyped} passed for ${code}`);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('detects every swap of two different neighbouring symbols, the check symbol included', () => {
    fc.assert(
      fc.property(codeArb, (code) => {
        for (let position = 0; position + 1 < code.length; position++) {
          if (code[position] === code[position + 1]) continue;
          const swapped = code.slice(0, position) + code[position + 1] + code[position] + code.slice(position + 2);
          if (parseVoucherCode(swapped) !== null) throw new Error(`${swapped} passed for ${code}`);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
