import { csvField, toCsv } from './report-csv';

describe('CSV writer', () => {
  it('leaves plain fields alone and writes nothing for null', () => {
    expect(csvField('Ann Lee')).toBe('Ann Lee');
    expect(csvField(42)).toBe('42');
    expect(csvField(-5)).toBe('-5');
    expect(csvField(true)).toBe('true');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
  });

  it('quotes fields holding a comma, a quote or a line break, doubling the quotes', () => {
    expect(csvField('Lee, Ann')).toBe('"Lee, Ann"');
    expect(csvField('said "hi"')).toBe('"said ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
  });

  it('keeps text that a spreadsheet would run as a formula as text', () => {
    expect(csvField('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvField('+44 20 7946 0000')).toBe("'+44 20 7946 0000");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('writes a header and rows with CRLF line ends', () => {
    expect(
      toCsv(
        ['name', 'notes'],
        [
          ['Ann', 'came early'],
          ['Bo', null],
        ],
      ),
    ).toBe('name,notes\r\nAnn,came early\r\nBo,\r\n');
  });

  it('round-trips through a strict RFC 4180 reader', () => {
    const rows = [['a,b', 'x"y', 'line\r\nbreak', '', 'ünïcødé']];
    const parsed = parseCsv(toCsv(['1', '2', '3', '4', '5'], rows));
    expect(parsed).toEqual([['1', '2', '3', '4', '5'], ...rows]);
  });
});

/** A minimal RFC 4180 reader, to check the writer against the grammar rather than against itself. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  return records;
}
