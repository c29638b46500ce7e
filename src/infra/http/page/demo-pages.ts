import { markup } from '../../../actors/shared/html-markup.js';
import { renderDocument } from './page-layout.js';

/**
 * The demo application's pages: a start page with one button, and the page it shows once
 * the provider has signed the user in, with the claims of the verified ID token.
 */

export const renderDemoIndex = (input: { readonly nonce: string; readonly loginAction: string }) =>
  renderDocument({
    title: 'Demo application',
    nonce: input.nonce,
    body: markup`<h1>passage demo application</h1>
<p class="lead">An application that signs its users in with passage, over OpenID Connect (authorization code with PKCE).</p>
<form method="post" action="${input.loginAction}">
<div class="actions"><button type="submit" autofocus>Sign in to the demo application</button></div>
</form>`,
  });

/** A claim's value as text: times as ISO instants next to the number, others as JSON. */
const claimText = (name: string, value: unknown): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && ['exp', 'iat', 'auth_time', 'nbf'].includes(name)) {
    return `${value} (${new Date(value * 1000).toISOString()})`;
  }
  return JSON.stringify(value) ?? String(value);
};

export const renderDemoSignedIn = (input: {
  readonly nonce: string;
  readonly username: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly startAgain: string;
}) => {
  const rows = Object.keys(input.claims)
    .sort()
    .map(
      (name) =>
        markup`<tr><th scope="row">${name}</th><td>${claimText(name, input.claims[name])}</td></tr>\n`,
    );
  return renderDocument({
    title: 'Signed in',
    nonce: input.nonce,
    body: markup`<h1>Signed in as <span class="who">${input.username}</span></h1>
<p class="lead" role="status">The demo application received an ID token from passage and verified its signature, issuer, audience, nonce and expiry.</p>
<table>
<caption>Claims of the ID token</caption>
<thead><tr><th scope="col">Claim</th><th scope="col">Value</th></tr></thead>
<tbody>
${rows}</tbody>
</table>
<p><a href="${input.startAgain}">Back to the demo application</a></p>`,
  });
};
