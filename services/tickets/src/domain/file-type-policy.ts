import { fileTypeFromBuffer } from 'file-type';
import { AttachmentTypeRefusedError } from './attachment.ts';

/**
 * Which files a ticket takes, decided from their bytes. What the client says (the declared type,
 * the file name's extension) is only a claim: every claim must agree with the content, so an
 * executable or an HTML page named `x.png` is refused instead of being served to someone else.
 * Text has no magic bytes: it is accepted only when nothing matched, a claim says text, and the
 * whole content is UTF-8 without NULs (checked while it streams, see `textCheck`).
 */

/** Enough of the head for the magic numbers, and for the entries of an office document's ZIP. */
export const SNIFF_BYTES = 64 * 1024;

interface Kind {
  mime: string;
  label: string;
  text?: true;
}

const KINDS = {
  png: { mime: 'image/png', label: 'a PNG image' },
  jpg: { mime: 'image/jpeg', label: 'a JPEG image' },
  gif: { mime: 'image/gif', label: 'a GIF image' },
  webp: { mime: 'image/webp', label: 'a WebP image' },
  pdf: { mime: 'application/pdf', label: 'a PDF document' },
  docx: {
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    label: 'a Word document',
  },
  xlsx: {
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    label: 'an Excel workbook',
  },
  pptx: {
    mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    label: 'a PowerPoint presentation',
  },
  zip: { mime: 'application/zip', label: 'a ZIP archive' },
  txt: { mime: 'text/plain; charset=utf-8', label: 'plain text', text: true },
  csv: { mime: 'text/csv; charset=utf-8', label: 'CSV text', text: true },
  json: { mime: 'application/json', label: 'JSON', text: true },
} as const satisfies Record<string, Kind>;
type KindName = keyof typeof KINDS;

const EXTENSIONS: Record<string, KindName> = {
  png: 'png',
  jpg: 'jpg',
  jpeg: 'jpg',
  gif: 'gif',
  webp: 'webp',
  pdf: 'pdf',
  docx: 'docx',
  xlsx: 'xlsx',
  pptx: 'pptx',
  zip: 'zip',
  txt: 'txt',
  text: 'txt',
  log: 'txt',
  csv: 'csv',
  json: 'json',
};

const DECLARED: Record<string, KindName> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/jpg': 'jpg',
  'image/pjpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  [KINDS.docx.mime]: 'docx',
  [KINDS.xlsx.mime]: 'xlsx',
  [KINDS.pptx.mime]: 'pptx',
  'application/zip': 'zip',
  'application/x-zip-compressed': 'zip',
  'text/plain': 'txt',
  'text/x-log': 'txt',
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/json': 'json',
};

/** Declared types that say nothing about the content. */
const GENERIC = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown']);

/** The magic file-type sniffs that people might try to pass off as something else. */
const REFUSED_LABELS: Record<string, string> = {
  exe: 'a Windows executable',
  elf: 'an ELF executable',
  macho: 'a Mach-O executable',
  msi: 'a Windows installer',
  jar: 'a Java archive',
  apk: 'an Android package',
  class: 'a Java class file',
};

const ACCEPTED = `accepted: ${Object.keys(EXTENSIONS).join(', ')}`;

export interface FileTypeVerdict {
  /** The type to store and serve the file with. */
  contentType: string;
  /** The rest of the content must still pass `textCheck`. */
  text: boolean;
}

export const extensionOf = (filename: string): string | undefined => {
  const dot = filename.lastIndexOf('.');
  return dot > 0 || (dot === 0 && filename.length > 1) ? filename.slice(dot + 1).toLowerCase() : undefined;
};

const mediaType = (declared: string) => declared.split(';')[0]?.trim().toLowerCase() ?? '';

const looksLikeHtml = (head: Uint8Array) =>
  /^\s*(?:<!doctype\s+html|<html|<head|<body|<script|<svg|<iframe|<!--)/i.test(
    new TextDecoder().decode(head.subarray(0, 512)),
  );

const isUtf8Text = (head: Uint8Array) => {
  if (head.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
};

/** What unmatched bytes look like, for a refusal the uploader can act on. */
const describeUnmatched = (head: Uint8Array) =>
  looksLikeHtml(head) ? 'HTML' : isUtf8Text(head) ? 'text' : 'data of no accepted type';

function refuse(message: string): never {
  throw new AttachmentTypeRefusedError(message);
}

/** A claimed ZIP may turn out to be an office document, which is one; no other claim bends. */
const agrees = (claim: KindName, sniffed: KindName) =>
  claim === sniffed || (claim === 'zip' && (sniffed === 'docx' || sniffed === 'xlsx' || sniffed === 'pptx'));

/**
 * Decides from the first bytes (`head`, at most SNIFF_BYTES, all of them for a smaller file) whether
 * the file is accepted and as what; throws AttachmentTypeRefusedError naming what it really is.
 */
export async function checkFileType(input: {
  head: Uint8Array;
  filename: string;
  declaredType: string;
}): Promise<FileTypeVerdict> {
  const { head } = input;
  const declared = mediaType(input.declaredType);
  const byDeclared = GENERIC.has(declared) ? undefined : DECLARED[declared];
  const ext = extensionOf(input.filename);
  const byExtension = ext === undefined ? undefined : EXTENSIONS[ext];
  const claims = [byExtension, byDeclared].filter((k): k is KindName => k !== undefined);

  const sniffed = await fileTypeFromBuffer(head);
  // Some signatures are two or three printable bytes (`MZ`, `BM`, `ID3`): a CSV starting with
  // "BMW" matches one. Real executables and bitmaps have NULs in their first bytes, so a claimed
  // text file whose head is clean UTF-8 is text that happens to start that way.
  const coincidence = sniffed && claims.some((k) => 'text' in KINDS[k]) && isUtf8Text(head);
  if (sniffed && !(sniffed.ext in KINDS) && !coincidence) {
    const label = REFUSED_LABELS[sniffed.ext] ?? `${sniffed.ext.toUpperCase()} data`;
    refuse(`The file is ${label} (${sniffed.mime}), which is not accepted; ${ACCEPTED}.`);
  }
  if (!GENERIC.has(declared) && !byDeclared)
    refuse(`Files of type ${declared} are not accepted; ${ACCEPTED}.`);
  if (ext !== undefined && !byExtension) refuse(`Files named .${ext} are not accepted; ${ACCEPTED}.`);

  if (sniffed && sniffed.ext in KINDS) {
    const kind = sniffed.ext as KindName;
    for (const claim of claims) {
      if (!agrees(claim, kind)) {
        refuse(`The file claims to be ${KINDS[claim].label} but is ${KINDS[kind].label} (${sniffed.mime}).`);
      }
    }
    return { contentType: KINDS[kind].mime, text: false };
  }
  const binaryClaim = claims.find((k) => !('text' in KINDS[k]));
  if (binaryClaim) {
    refuse(
      `The file claims to be ${KINDS[binaryClaim].label} but its content is ${describeUnmatched(head)}.`,
    );
  }
  const textClaim = claims[0];
  if (!textClaim) {
    refuse(
      `The type of this file cannot be told from its content; give it a file name extension (${ACCEPTED}).`,
    );
  }
  return { contentType: KINDS[textClaim].mime, text: true };
}

/**
 * Checks, chunk by chunk, that a text file is UTF-8 without NUL bytes; a multi-byte character may
 * straddle two chunks. `end` throws if the content stopped inside a character.
 */
export function textCheck(): { push(chunk: Uint8Array): void; end(): void } {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const notText = (why: string) =>
    new AttachmentTypeRefusedError(
      `The file claims to be text but ${why}; binary files need their real type.`,
    );
  const decode = (chunk?: Uint8Array) => {
    try {
      decoder.decode(chunk, { stream: chunk !== undefined });
    } catch {
      throw notText('is not valid UTF-8');
    }
  };
  return {
    push(chunk) {
      if (chunk.includes(0)) throw notText('contains NUL bytes');
      decode(chunk);
    },
    end: () => decode(),
  };
}

/**
 * The name to keep: no path, no control or bidirectional-override characters (which can make
 * `exe.txt` display as `txt.exe`), at most 255 characters with the extension kept.
 */
export function cleanFilename(raw: string): string {
  const base = raw.split(/[/\\]/).at(-1) ?? '';
  const clean = base
    .replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069\u200E\u200F]/gu, '')
    .trim()
    .replace(/^\.+$/, '');
  if (clean.length <= 255) return clean || 'attachment';
  const ext = extensionOf(clean);
  return ext && ext.length < 20 ? `${clean.slice(0, 254 - ext.length)}.${ext}` : clean.slice(0, 255);
}
