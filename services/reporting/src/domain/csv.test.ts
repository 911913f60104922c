import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from './csv.ts';

describe('csv', () => {
  it('when a text holds a comma, a quote or a line break, then it is quoted RFC 4180 style', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('when a text starts like a formula, then it gets a leading quote', () => {
    for (const v of ['=SUM(A1)', '+1', '-1', '@cmd', '\tx']) expect(csvField(v)).toBe(`'${v}`);
    expect(csvField('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
  });

  it('when a value is a number or missing, then it is written plainly', () => {
    expect(csvField(-3)).toBe('-3');
    expect(csvField(12.5)).toBe('12.5');
    expect(csvField(null)).toBe('');
  });

  it('when rows are written, then lines end with CRLF after a header', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          [1, 'x'],
          [null, '=1'],
        ],
      ),
    ).toBe("a,b\r\n1,x\r\n,'=1\r\n");
  });
});
