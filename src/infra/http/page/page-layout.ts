import { markup, trusted, type SafeHtml } from '../../../actors/shared/html-markup.js';

/**
 * The document every page shares: language, viewport, one inline style sheet (no external
 * assets, so the page works offline and the CSP stays `default-src 'none'`) and a main
 * landmark. Colours keep a contrast ratio of at least 4.5:1; focus is always visible. The
 * empty icon keeps browsers from asking for /favicon.ico.
 */

const STYLE = trusted(`
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { margin: 0; background: #f3f4f6; color: #111827; line-height: 1.5; }
main { max-width: 26rem; margin: 3rem auto; padding: 2rem; background: #fff; border-radius: 0.5rem;
  box-shadow: 0 1px 3px rgba(0, 0, 0, 0.2); }
h1 { font-size: 1.5rem; margin: 0 0 0.25rem; }
.lead { margin: 0 0 1.5rem; color: #374151; }
label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
.hint { display: block; color: #374151; font-size: 0.9rem; margin: 0 0 0.25rem; }
input[type=text], input[type=password], input[type=email] { box-sizing: border-box; width: 100%;
  padding: 0.6rem; font-size: 1rem; border: 1px solid #6b7280; border-radius: 0.25rem; }
input[aria-invalid=true] { border-color: #b91c1c; border-width: 2px; }
button, .button { display: inline-block; padding: 0.6rem 1.2rem; font-size: 1rem; border-radius: 0.25rem;
  border: 1px solid #1d4ed8; background: #1d4ed8; color: #fff; cursor: pointer; text-decoration: none; }
button.secondary, .button.secondary { background: #fff; color: #1d4ed8; }
.actions { display: flex; gap: 0.75rem; flex-wrap: wrap; margin-top: 1.25rem; align-items: center; }
.field { margin-top: 1rem; }
.error { color: #b91c1c; font-weight: 600; margin: 0.25rem 0 0; }
.alert { border-left: 4px solid #b91c1c; background: #fef2f2; padding: 0.75rem 1rem; margin: 0 0 1rem; }
.notice { border-left: 4px solid #1d4ed8; background: #eff6ff; padding: 0.75rem 1rem; margin: 0 0 1rem; }
.who { font-weight: 600; overflow-wrap: anywhere; }
a { color: #1d4ed8; }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; border-bottom: 1px solid #d1d5db; padding: 0.3rem; overflow-wrap: anywhere; }
form.inline { display: inline; margin: 0; }
`);

export interface PageDocument {
  /** The window title; the page's own heading is part of `body`. */
  readonly title: string;
  readonly nonce: string;
  /** Extra elements for `<head>` (a refresh, a script), built with `markup`. */
  readonly head?: SafeHtml;
  readonly body: SafeHtml;
}

export const renderDocument = (page: PageDocument): string =>
  markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${page.title} – passage</title>
<style nonce="${page.nonce}">${STYLE}</style>
${page.head}
</head>
<body>
<main id="main">
${page.body}
</main>
</body>
</html>
`.value;
