/**
 * What a template hands to the writers: an email as a subject, a title and blocks of plain strings. A block
 * never holds markup and nothing here escapes, so a template cannot get escaping wrong: the writers
 * (writers.ts) escape every string a block holds, whoever wrote it.
 */

/** A label and its value; `maxLength` cuts a value an event could inflate (a user agent) shorter than most. */
export type Fact = readonly [label: string, value: string, maxLength?: number];

export type Block =
  | { readonly kind: 'heading'; readonly text: string }
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'facts'; readonly rows: readonly Fact[] }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | {
      readonly kind: 'table';
      readonly caption: string;
      readonly columns: readonly string[];
      readonly rows: readonly (readonly string[])[];
    }
  | { readonly kind: 'commands'; readonly lines: readonly string[] }
  | { readonly kind: 'preformatted'; readonly text: string }
  | { readonly kind: 'link'; readonly text: string; readonly href: string };

export interface Email {
  readonly subject: string;
  readonly title: string;
  readonly blocks: readonly Block[];
}

export function heading(text: string): Block {
  return { kind: 'heading', text };
}

export function paragraph(text: string): Block {
  return { kind: 'paragraph', text };
}

export function list(items: readonly string[]): Block {
  return { kind: 'list', items };
}

export function facts(rows: readonly Fact[]): Block {
  return { kind: 'facts', rows };
}

/** Nothing at all when there is no command to give: an empty code block would read as a missing one. */
export function commands(lines: readonly string[]): Block[] {
  return lines.length > 0 ? [{ kind: 'commands', lines }] : [];
}
