// Payload previews for display: long text is cut to a size budget and says so, so a megabyte frame never
// reaches a tree, a log line or a webview whole.

/** Default budget of a payload preview (characters, about bytes for ASCII JSON). */
export const DEFAULT_PREVIEW_CHARS = 20 * 1024;

export interface Preview {
  readonly text: string;
  readonly truncated: boolean;
  /** Length of the original text. */
  readonly length: number;
}

export function preview(text: string, maxChars: number = DEFAULT_PREVIEW_CHARS): Preview {
  if (text.length <= maxChars) return { text, truncated: false, length: text.length };
  // Never end on the first half of a surrogate pair: a lone surrogate renders as garbage and breaks encoders.
  const end = maxChars > 0 && isHighSurrogate(text.charCodeAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return { text: text.slice(0, end), truncated: true, length: text.length };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The preview as one string with a visible marker when it was cut. */
export function previewLine(text: string, maxChars: number = DEFAULT_PREVIEW_CHARS): string {
  const p = preview(text, maxChars);
  return p.truncated ? `${p.text}… [truncated: ${p.length} chars, first ${maxChars} shown]` : p.text;
}
