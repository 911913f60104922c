import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AttachmentTypeRefusedError } from './attachment.ts';
import { checkFileType, cleanFilename, textCheck } from './file-type-policy.ts';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
/** The start of a PE file: `MZ`, the DOS header's zeros, the `PE\0\0` signature. */
const EXE = Buffer.concat([
  Buffer.from('MZ'),
  Buffer.alloc(58),
  Buffer.from([0x40, 0, 0, 0]),
  Buffer.from('PE\0\0'),
]);
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(57)]);
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
const HTML = Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>');

/** A ZIP with stored (uncompressed) entries, as office documents and archives are laid out. */
function storedZip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const fileName = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(fileName.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    central.push(entry, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const DOCX = storedZip({
  '[Content_Types].xml':
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  'word/document.xml': '<w:document/>',
});
const ZIP = storedZip({ 'notes/a.txt': 'hello' });

const check = (head: Buffer, filename: string, declaredType = '') =>
  checkFileType({ head, filename, declaredType });

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AttachmentTypeRefusedError);
  return (err as Error).message;
}

describe('checkFileType', () => {
  it('when the content matches its name and type, then it is accepted as the sniffed type', async () => {
    expect(await check(PNG, 'shot.png', 'image/png')).toEqual({ contentType: 'image/png', text: false });
    expect(await check(PDF, 'invoice.PDF', 'application/octet-stream')).toEqual({
      contentType: 'application/pdf',
      text: false,
    });
    expect((await check(DOCX, 'cv.docx')).contentType).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect((await check(ZIP, 'logs.zip', 'application/x-zip-compressed')).contentType).toBe(
      'application/zip',
    );
  });

  it('when the name says nothing, then the content decides', async () => {
    expect((await check(PNG, 'screenshot', '')).contentType).toBe('image/png');
  });

  it('when an executable is named like an image, then it is refused naming what it is', async () => {
    expect(await refusal(check(EXE, 'x.png', 'image/png'))).toMatch(/Windows executable/);
    expect(await refusal(check(ELF, 'x.png', 'image/png'))).toMatch(/ELF executable/);
    expect(await refusal(check(EXE, 'notes.txt', 'text/plain'))).toMatch(/Windows executable/);
  });

  it('when HTML is named like an image, then it is refused as HTML', async () => {
    expect(await refusal(check(HTML, 'x.png', 'image/png'))).toMatch(
      /claims to be a PNG image but its content is HTML/,
    );
    expect(await refusal(check(HTML, 'page.html', 'text/html'))).toMatch(/text\/html are not accepted/);
  });

  it('when the declared type or the extension disagrees with the content, then it is refused', async () => {
    expect(await refusal(check(PNG, 'photo.jpg', 'image/jpeg'))).toMatch(
      /claims to be a JPEG image but is a PNG/,
    );
    expect(await refusal(check(PNG, 'photo.png', 'application/pdf'))).toMatch(/claims to be a PDF/);
    expect(await refusal(check(ZIP, 'cv.docx'))).toMatch(/claims to be a Word document but is a ZIP/);
    expect(await refusal(check(PDF, 'notes.txt', 'text/plain'))).toMatch(
      /claims to be plain text but is a PDF/,
    );
  });

  it('when a text file is named as text, then it is accepted as UTF-8 text of that kind', async () => {
    expect(await check(Buffer.from('a,b\n1,2\n'), 'export.csv', 'text/csv')).toEqual({
      contentType: 'text/csv; charset=utf-8',
      text: true,
    });
    expect((await check(Buffer.from('{"a":1}'), 'x.json')).contentType).toBe('application/json');
    expect((await check(Buffer.from('boot ok\n'), 'app.log', 'application/octet-stream')).contentType).toBe(
      'text/plain; charset=utf-8',
    );
    expect((await check(Buffer.from('hi'), 'README', 'text/plain')).contentType).toBe(
      'text/plain; charset=utf-8',
    );
  });

  it('when text happens to start like a short binary signature, then it is still text', async () => {
    expect((await check(Buffer.from('BMW,320i,2019\n'), 'cars.csv', 'text/csv')).contentType).toBe(
      'text/csv; charset=utf-8',
    );
    expect(await refusal(check(Buffer.from('BMW,320i,2019\n'), 'cars.bmp'))).toMatch(/BMP/);
  });

  it('when nothing tells the type, or the extension is not on the list, then it is refused', async () => {
    expect(await refusal(check(Buffer.from('hello'), 'blob', 'application/octet-stream'))).toMatch(
      /cannot be told from its content/,
    );
    expect(await refusal(check(Buffer.from('echo hi'), 'run.sh', 'text/plain'))).toMatch(/named \.sh/);
  });
});

describe('textCheck', () => {
  it('when UTF-8 is split across chunks, then it passes', () => {
    const bytes = Buffer.from('héllo ✓');
    const check = textCheck();
    for (const b of bytes) check.push(Uint8Array.of(b));
    expect(() => check.end()).not.toThrow();
  });

  it('when the content has a NUL, invalid UTF-8 or ends inside a character, then it is refused', () => {
    expect(() => textCheck().push(Buffer.from('a\0b'))).toThrow(/NUL/);
    expect(() => textCheck().push(Uint8Array.of(0xff, 0xfe, 0x41))).toThrow(/UTF-8/);
    const cut = textCheck();
    cut.push(Buffer.from('✓').subarray(0, 2));
    expect(() => cut.end()).toThrow(/UTF-8/);
  });
});

describe('cleanFilename', () => {
  it('when a name carries a path, control or bidi characters, then only a plain name is kept', () => {
    expect(cleanFilename('C:\\fakepath\\report.pdf')).toBe('report.pdf');
    expect(cleanFilename('../../etc/passwd')).toBe('passwd');
    expect(cleanFilename('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(cleanFilename('a\r\nb.txt')).toBe('ab.txt');
    expect(cleanFilename('..')).toBe('attachment');
    expect(cleanFilename('')).toBe('attachment');
  });

  it('when a name is too long, then it is cut to 255 characters keeping the extension', () => {
    const name = cleanFilename(`${'x'.repeat(400)}.pdf`);
    expect(name).toHaveLength(255);
    expect(name.endsWith('.pdf')).toBe(true);
  });
});
