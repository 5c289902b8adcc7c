/**
 * Escaping for strings that reach an email from an event: the caller of KMS chooses its user agent,
 * and an email is the one place where that string meets a human who may act on what it says. Only the
 * writers (writers.ts) call these: a template that escaped for itself could escape twice, or forget once.
 */

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Control (Cc), format (Cf: bidi overrides, zero-width characters), lone surrogates (Cs) and the Unicode
 * line and paragraph separators: invisible or line-breaking, so they could hide or forge text.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;
const UNSAFE_EXCEPT_NEWLINE = /(?!\n)[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

const ELLIPSIS = '…';

/** Safe as HTML text and inside a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (char) => HTML_ENTITIES[char] ?? char);
}

/**
 * One line for a subject or a single field: every line break and control character becomes a space,
 * runs of spaces collapse, and the result is at most `maxLength` characters, ending in an ellipsis when cut.
 */
export function oneLine(value: string, maxLength = 200): string {
  return cap(value.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim(), maxLength);
}

/**
 * A multi-line block of a text body (an error cause): line breaks are kept as LF, every other control
 * character becomes a space, and the result is at most `maxLength` characters.
 */
export function cleanText(value: string, maxLength = 4000): string {
  return cap(value.replace(/\r\n?/g, '\n').replace(UNSAFE_EXCEPT_NEWLINE, ' ').trimEnd(), maxLength);
}

function cap(value: string, maxLength: number): string {
  if (value.length <= maxLength) return value;
  let head = value.slice(0, Math.max(0, maxLength - ELLIPSIS.length));
  // A cut between the two halves of a surrogate pair would leave an invalid character behind.
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${head.trimEnd()}${ELLIPSIS}`;
}
