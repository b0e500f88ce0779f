import { randomBytes } from 'node:crypto';

/**
 * Voucher codes: what a customer shows at the till and staff type in to fulfil a redemption.
 *
 * - Crockford's base-32 alphabet: digits and upper-case letters without I, L, O and U, so nothing
 *   looks like anything else; typed input is forgiving (case, dashes, spaces, O for 0, I/L for 1).
 * - 11 random symbols from the operating system's CSPRNG: 55 bits, so codes cannot be guessed.
 * - 1 check symbol that catches every single mistyped symbol and every swap of two neighbours, so
 *   a typo is reported as a typo instead of fulfilling (or failing to find) some other voucher.
 *
 * The check is Damm's scheme over the 32-element field GF(2^5): folding `s = 2·s + d` over the
 * symbols (field arithmetic: + is XOR, 2· is a shift reduced by x^5 + x^2 + 1) and appending the
 * symbol that brings `s` to 0. The fold is linear: a code's value is Σ 2^(n-1-i)·d_i. Changing one
 * symbol by e ≠ 0 changes it by 2^k·e ≠ 0; swapping neighbours x ≠ y changes it by
 * 2^k·(2x + y + 2y + x) = 2^k·3·(x + y) ≠ 0, since 3 ≠ 0 and a field has no zero divisors.
 */
export const VOUCHER_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const VOUCHER_RANDOM_SYMBOLS = 11;
export const VOUCHER_CODE_LENGTH = VOUCHER_RANDOM_SYMBOLS + 1;
export const VOUCHER_RANDOM_BITS = VOUCHER_RANDOM_SYMBOLS * 5;

const VALUE_OF = new Map([...VOUCHER_ALPHABET].map((symbol, value) => [symbol, value]));
/** Crockford's reading of symbols people confuse with the digits. */
const LOOKALIKES: Record<string, string> = { O: '0', I: '1', L: '1' };

/** 2·v in GF(2^5) with the primitive polynomial x^5 + x^2 + 1 (0b100101). */
function timesTwo(value: number): number {
  const shifted = value << 1;
  return shifted & 0b100000 ? shifted ^ 0b100101 : shifted;
}

function fold(values: number[]): number {
  return values.reduce((state, value) => timesTwo(state) ^ value, 0);
}

/** The check symbol for these symbols: the one that folds the whole code to 0. */
export function checkSymbol(symbols: string): string {
  return VOUCHER_ALPHABET[timesTwo(fold([...symbols].map((symbol) => VALUE_OF.get(symbol)!)))];
}

/** A fresh voucher code in canonical form (12 symbols, no separators). */
export function generateVoucherCode(random: (size: number) => Uint8Array = randomBytes): string {
  // 256 is a multiple of 32, so the low five bits of a uniform byte are uniform.
  const symbols = [...random(VOUCHER_RANDOM_SYMBOLS)].map((byte) => VOUCHER_ALPHABET[byte & 31]).join('');
  return symbols + checkSymbol(symbols);
}

/** `ABCD-EFGH-JKMN`: the form printed and shown to people. */
export function formatVoucherCode(canonical: string): string {
  return canonical.match(/.{1,4}/g)!.join('-');
}

/**
 * The canonical code for what someone typed or scanned, or null when it cannot be one of our
 * codes: a symbol outside the alphabet, the wrong length, or a check symbol that does not match.
 */
export function parseVoucherCode(input: string): string | null {
  const canonical = [...input.toUpperCase().replace(/[\s-]/g, '')]
    .map((symbol) => LOOKALIKES[symbol] ?? symbol)
    .join('');
  if (canonical.length !== VOUCHER_CODE_LENGTH) return null;
  const values = [...canonical].map((symbol) => VALUE_OF.get(symbol));
  if (values.some((value) => value === undefined)) return null;
  return fold(values as number[]) === 0 ? canonical : null;
}
