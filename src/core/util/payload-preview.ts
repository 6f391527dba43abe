// Cuts untrusted payloads down for display: at most `maxBytes` of UTF-8, with a flag saying it was cut.

export const DEFAULT_PREVIEW_BYTES = 20 * 1024;

export interface PayloadPreview {
  readonly text: string;
  /** Size of the whole payload in bytes. */
  readonly bytes: number;
  readonly truncated: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** Preview of raw bytes; a multi-byte character cut at the boundary decodes as U+FFFD, never throws. */
export function previewBytes(payload: Uint8Array, maxBytes = DEFAULT_PREVIEW_BYTES): PayloadPreview {
  if (payload.byteLength <= maxBytes) return { text: decoder.decode(payload), bytes: payload.byteLength, truncated: false };
  return { text: decoder.decode(payload.subarray(0, maxBytes)), bytes: payload.byteLength, truncated: true };
}

/** Preview of a string measured in UTF-8 bytes. */
export function previewText(text: string, maxBytes = DEFAULT_PREVIEW_BYTES): PayloadPreview {
  // Cheap exits: every UTF-16 unit encodes to at most 3 bytes.
  if (text.length * 3 <= maxBytes) return { text, bytes: utf8Length(text), truncated: false };
  const encoded = encoder.encode(text);
  return previewBytes(encoded, maxBytes);
}

export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) { bytes += 4; i++; }
    else bytes += 3;
  }
  return bytes;
}

/** Renders a preview as one line for a tree description or an event summary. */
export function oneLine(preview: PayloadPreview, maxChars = 200): string {
  return oneLineText(preview.text, preview.truncated, preview.bytes, maxChars);
}

/** `oneLine` without a preview object (runs for every unmapped MQTT message). */
export function oneLineText(text: string, truncated: boolean, bytes: number, maxChars = 200): string {
  const flat = isOneLine(text) ? text : text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > maxChars ? `${flat.slice(0, maxChars)}…` : flat;
  return truncated ? `${cut} [truncated, ${bytes} bytes]` : cut;
}

/**
 * Whether collapsing whitespace would leave `text` unchanged: no whitespace but single inner spaces. Compact
 * JSON passes, and a character loop is cheaper than a global replace that finds nothing to replace.
 */
function isOneLine(text: string): boolean {
  const n = text.length;
  if (n === 0) return true;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32) {
      if (c !== 32 || i === 0 || i === n - 1 || text.charCodeAt(i + 1) <= 32) return false;
    } else if (c >= 0xa0 && isUnicodeSpace(c)) return false;
  }
  return true;
}

/** Whitespace in `\s` beyond ASCII. */
function isUnicodeSpace(c: number): boolean {
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
