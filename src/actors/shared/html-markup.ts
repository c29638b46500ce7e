/**
 * HTML escaping for every page passage renders: the sign-in pages (user names, client
 * names, messages, ids) and the replay timeline (values from an event log that anyone with
 * write access to the store may have written). Every value goes through `escapeHtml`,
 * usually by way of the `markup` tag, which escapes every interpolated value unless it is
 * already `SafeHtml`. The same escaping is right for inline SVG: pages are parsed as HTML,
 * and every attribute in the templates is double-quoted.
 */

const REPLACEMENTS: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes the five characters that matter in element content and quoted attribute values. */
export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => REPLACEMENTS[c] ?? c);

/** Markup that is already safe: produced by `markup`, or a constant of these templates. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** A value a template may interpolate; `null`, `undefined` and `false` render as nothing. */
export type HtmlValue =
  SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const render = (value: HtmlValue): string => {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
};

/**
 * A template tag: the literal parts are trusted markup, every value is escaped. (Not called
 * `html`, so that Prettier leaves the templates as written.)
 */
export const markup = (strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml =>
  new SafeHtml(
    strings.reduce((out, part, index) => {
      const value = index < values.length ? render(values[index]) : '';
      return out + part + value;
    }, ''),
  );

/** Marks a constant of this code base as markup. Never pass it anything read from outside. */
export const trusted = (text: string): SafeHtml => new SafeHtml(text);
