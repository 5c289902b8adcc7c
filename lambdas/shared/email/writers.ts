/**
 * The two writers, text and HTML: the only code that turns blocks into a body, and the only code that
 * escapes. Any string in a block may come from an event (a user agent is chosen by whoever calls KMS), so
 * each one goes through oneLine, or cleanText for a multi-line block, and in HTML through escapeHtml too.
 * Templates never escape: however one is changed, nothing it passes on can reach an email unescaped.
 */

import type { Block, Email } from './blocks';
import { cleanText, escapeHtml, oneLine } from './escape';
import type { Wording } from './i18n';
import type { RenderedEmail } from './types';

const MAX_SUBJECT_LENGTH = 200;
/** Long enough for any sentence a template writes; it only bounds what an event could inflate. */
const MAX_PARAGRAPH_LENGTH = 2000;
const MAX_FIELD_LENGTH = 600;

const TABLE_STYLE = 'border-collapse:collapse;margin:8px 0';
const CELL_STYLE = 'border:1px solid #d5dbdb;padding:4px 8px;text-align:left;vertical-align:top';
/**
 * A long token with no space (an ARN) may break anywhere, or it widens the table past a phone's screen.
 * Only such a cell: breaking anywhere in a short word (`service`) would squeeze its column to one letter.
 */
const UNBROKEN_CELL_STYLE = `${CELL_STYLE};overflow-wrap:anywhere`;
const LONG_TOKEN = /^\S{16,}$/;
/** A short word stays whole: a browser breaks Japanese between any two characters, so サーバー went down a column. */
const WHOLE_CELL_STYLE = `${CELL_STYLE};white-space:nowrap`;
const SHORT_WORD = /^\S{1,8}$/;

function cellStyle(cell: string): string {
  if (LONG_TOKEN.test(cell)) return UNBROKEN_CELL_STYLE;
  return SHORT_WORD.test(cell) ? WHOLE_CELL_STYLE : CELL_STYLE;
}
/**
 * A command or an ARN has no space to break at for a long way: without these, a phone shows a sliver of it
 * and scrolls the whole email sideways. pre-wrap keeps the line breaks between commands; break-all lets a
 * line break anywhere, since a shell command copied from the email is pasted whole either way.
 */
const CODE_STYLE =
  'white-space:pre-wrap;word-break:break-all;overflow-wrap:anywhere;background:#f2f3f3;padding:8px;font-size:13px';

/** `w` gives the signature and the HTML's language: the template has said everything else. */
export function written(email: Email, w: Wording): RenderedEmail {
  return {
    subject: oneLine(email.subject, MAX_SUBJECT_LENGTH),
    text: writeText(email, w.signature),
    html: writeHtml(email, w),
  };
}

/** Text underlines stop where a narrow mail client would wrap them. */
const RULE_WIDTH = 72;

/** Columns a character takes in a monospaced font: two for Japanese and other wide characters. */
function columns(text: string): number {
  let width = 0;
  for (const char of text)
    width +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(
        char,
      )
        ? 2
        : 1;
  return width;
}

function writeText(email: Email, signature: string): string {
  const lines = underlined(email.title, '=');
  for (const block of email.blocks) lines.push('', ...textOf(block));
  lines.push('', '--', signature);
  return `${lines.join('\n')}\n`;
}

function underlined(value: string, rule: string): string[] {
  const text = oneLine(value, MAX_PARAGRAPH_LENGTH);
  return [text, rule.repeat(Math.min(columns(text), RULE_WIDTH))];
}

function textOf(block: Block): string[] {
  switch (block.kind) {
    case 'heading':
      return underlined(block.text, '-');
    case 'paragraph':
      return [oneLine(block.text, MAX_PARAGRAPH_LENGTH)];
    case 'facts': {
      // Aligned by columns, not characters: a Japanese label is twice as wide as its length.
      const width = Math.max(...block.rows.map(([label]) => columns(oneLine(label)))) + 1;
      return block.rows.map(([label, value, max = MAX_FIELD_LENGTH]) => {
        const text = `${oneLine(label)}:`;
        return `${text}${' '.repeat(Math.max(0, width - columns(text)))} ${oneLine(value, max)}`;
      });
    }
    case 'list':
      return block.items.map((item) => `- ${oneLine(item, MAX_PARAGRAPH_LENGTH)}`);
    case 'table':
      return [
        `${oneLine(block.caption)}:`,
        ...block.rows.map((row) => `- ${row.map((cell) => oneLine(cell, MAX_FIELD_LENGTH)).join(' | ')}`),
      ];
    case 'commands':
      return block.lines.map((line) => `    ${oneLine(line, MAX_PARAGRAPH_LENGTH)}`);
    case 'preformatted':
      // Indented, so a line break inside the block can never pass for a line of the email itself.
      return cleanText(block.text)
        .split('\n')
        .map((line) => `    ${line}`);
    case 'link':
      return [`${oneLine(block.text)}:`, oneLine(block.href, MAX_PARAGRAPH_LENGTH)];
  }
}

/** Inline text: escapeHtml(oneLine(...)). Multi-line: escapeHtml(cleanText(...)). Nothing else. */
function inline(value: string, max = MAX_FIELD_LENGTH): string {
  return escapeHtml(oneLine(value, max));
}

function writeHtml(email: Email, w: Wording): string {
  const title = inline(email.title, MAX_PARAGRAPH_LENGTH);
  return [
    '<!DOCTYPE html>',
    `<html lang="${w.language}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title}</title>`,
    '</head>',
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5;color:#16191f">',
    `<h1 style="font-size:20px">${title}</h1>`,
    ...email.blocks.map(htmlOf),
    '<hr>',
    `<p style="color:#545b64">${escapeHtml(w.signature)}</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function htmlOf(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `<h2>${inline(block.text)}</h2>`;
    case 'paragraph':
      return `<p>${inline(block.text, MAX_PARAGRAPH_LENGTH)}</p>`;
    case 'facts':
      return `<dl>\n${block.rows.map(([label, value, max]) => `<dt>${inline(label)}</dt><dd>${inline(value, max)}</dd>`).join('\n')}\n</dl>`;
    case 'list':
      return `<ul>\n${block.items.map((item) => `<li>${inline(item, MAX_PARAGRAPH_LENGTH)}</li>`).join('\n')}\n</ul>`;
    case 'table':
      return [
        `<table style="${TABLE_STYLE}">`,
        `<caption style="text-align:left;font-weight:bold">${inline(block.caption)}</caption>`,
        `<thead><tr>${block.columns.map((column) => `<th scope="col" style="${cellStyle(column)}">${inline(column)}</th>`).join('')}</tr></thead>`,
        '<tbody>',
        ...block.rows.map(
          (row) =>
            `<tr>${row.map((cell) => `<td style="${cellStyle(cell)}">${inline(cell)}</td>`).join('')}</tr>`,
        ),
        '</tbody>',
        '</table>',
      ].join('\n');
    case 'commands':
      // A blank line between commands: wrapped on a phone, one command's lines look like the next one's.
      return `<pre><code style="display:block;${CODE_STYLE}">${block.lines.map((line) => inline(line, MAX_PARAGRAPH_LENGTH)).join('\n\n')}</code></pre>`;
    case 'preformatted':
      return `<pre style="${CODE_STYLE}">${escapeHtml(cleanText(block.text))}</pre>`;
    case 'link':
      return `<p><a href="${inline(block.href, MAX_PARAGRAPH_LENGTH)}">${inline(block.text)}</a></p>`;
  }
}
