/**
 * CSV as RFC 4180 writes it: CRLF line ends, fields with a comma, quote, CR or LF enclosed in
 * double quotes, quotes doubled. Pure.
 */

export type CsvValue = string | number | boolean | null | undefined;

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab/CR) as a formula, and names and notes
 * come from customers and staff: such text gets a leading apostrophe so it stays text. Numbers
 * are written as they are (a negative number is not text).
 */
function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? neutraliseFormula(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: CsvValue[][]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
