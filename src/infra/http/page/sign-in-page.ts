import type { AttemptView } from '../../../actors/signin/flow-types.js';
import { markup, trusted, type SafeHtml } from '../../../actors/shared/html-markup.js';
import { renderDocument } from './page-layout.js';

/**
 * The sign-in page: one rendering per state of the attempt. Forms post to the interaction's
 * routes, which answer 303 back to the page (Post/Redirect/Get), so reloading never resends
 * a password. Nothing here reads a request: the caller passes the view and the links.
 */

export interface SignInLinks {
  /** This page (GET), for the current try. */
  readonly page: string;
  readonly username: string;
  readonly password: string;
  readonly mfa: string;
  readonly cancel: string;
  /** A fresh attempt (the next try), or null when no try is left. */
  readonly retry: string | null;
  /** The JSON API's long poll for this attempt, which the waiting page's script calls. */
  readonly wait: string;
}

/** The input a problem belongs to, or `page` for one that belongs to no input. */
export type ProblemField = 'username' | 'password' | 'code' | 'page';

/** A refusal to show next to the form that caused it (a missing field, a step taken twice). */
export interface FormProblem {
  readonly field: ProblemField;
  readonly message: string;
}

export interface SignInPageInput {
  readonly view: AttemptView;
  /** The application the user signs in to, as its registration names it. */
  readonly applicationName: string;
  readonly links: SignInLinks;
  readonly nonce: string;
  readonly problem?: FormProblem;
}

const NOTHING = trusted('');

const errorId = (field: ProblemField): string => `${field}-error`;

/**
 * The attributes that describe an input: its hints, and its error when the problem is about
 * it (then also `aria-invalid`), so a screen reader reads the error with the field.
 */
const described = (
  problem: FormProblem | undefined,
  field: ProblemField,
  hints: readonly string[],
): SafeHtml => {
  const invalid = problem?.field === field;
  const ids = [...hints, ...(invalid ? [errorId(field)] : [])];
  return markup`${ids.length === 0 ? NOTHING : markup` aria-describedby="${ids.join(' ')}"`}${invalid ? trusted(' aria-invalid="true"') : NOTHING}`;
};

const fieldError = (problem: FormProblem | undefined, field: ProblemField): SafeHtml =>
  problem?.field === field
    ? markup`<p class="error" id="${errorId(field)}">${problem.message}</p>`
    : NOTHING;

/** A problem that belongs to no input is announced at the top of the page. */
const pageAlert = (problem: FormProblem | undefined): SafeHtml =>
  problem?.field === 'page'
    ? markup`<div class="alert" role="alert" id="${errorId('page')}">${problem.message}</div>`
    : NOTHING;

const cancelForm = (links: SignInLinks, label = 'Cancel'): SafeHtml =>
  markup`<form class="inline" method="post" action="${links.cancel}"><button type="submit" class="secondary">${label}</button></form>`;

/**
 * A step's form, then the cancel button: forms cannot nest, so the cancel form follows the
 * step's form instead of sitting inside it.
 */
const stepForm = (
  action: string,
  fields: SafeHtml,
  submitLabel: string,
  links: SignInLinks,
  extra: SafeHtml = NOTHING,
): SafeHtml =>
  markup`<form method="post" action="${action}" novalidate>
${fields}
<div class="actions"><button type="submit">${submitLabel}</button>${extra}</div>
</form>
<div class="actions">${cancelForm(links)}</div>`;

const usernameStep = (input: SignInPageInput): SafeHtml => {
  const { links, problem } = input;
  const fields = markup`<div class="field">
<label for="username">Username</label>
<span class="hint" id="username-hint">Your work account, for example alice@example.com</span>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus${described(problem, 'username', ['username-hint'])}>
${fieldError(problem, 'username')}
</div>`;
  return markup`<h1>Sign in</h1>
<p class="lead">to ${input.applicationName}</p>
${pageAlert(problem)}
${stepForm(links.username, fields, 'Next', links)}`;
};

const passwordStep = (input: SignInPageInput): SafeHtml => {
  const { links, problem, view } = input;
  const username = view.username ?? '';
  // The hidden user name tells password managers which account this password belongs to.
  const fields = markup`<input type="text" name="username" value="${username}" autocomplete="username" hidden readonly>
<div class="field">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required autofocus${described(problem, 'password', [])}>
${fieldError(problem, 'password')}
</div>`;
  const another =
    links.retry === null
      ? NOTHING
      : markup`<a class="button secondary" href="${links.retry}">Use another account</a>`;
  return markup`<h1>Enter your password</h1>
<p class="lead">Signing in as <span class="who">${username}</span> to ${input.applicationName}</p>
${pageAlert(problem)}
${stepForm(links.password, fields, 'Sign in', links, another)}`;
};

/** JSON that is safe inside a `<script>` element: no `<`, `>`, `&` or line separators. */
const jsonForScript = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/**
 * The waiting page's script: one long poll of the JSON API, then a reload, at most once a
 * second even when the API answers at once (an error, a server without the API).
 */
const waitScript = (nonce: string, waitUrl: string): SafeHtml =>
  markup`<script nonce="${nonce}">${trusted(`
(function () {
  var started = Date.now();
  var again = function () {
    setTimeout(function () { window.location.reload(); }, Math.max(0, 1000 - (Date.now() - started)));
  };
  fetch(${jsonForScript(waitUrl)}, { headers: { accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' })
    .then(again, again);
})();
`)}</script>`;

/** Without scripts the page refreshes itself every 2 s; with them the long poll does it sooner. */
const waitingHead = (nonce: string, waitUrl: string): SafeHtml =>
  markup`<noscript><meta http-equiv="refresh" content="2"></noscript>
${waitScript(nonce, waitUrl)}`;

const checkingStep = (input: SignInPageInput): SafeHtml =>
  markup`<h1>Checking your password…</h1>
${pageAlert(input.problem)}
<p role="status" aria-live="polite">Your password is being checked with your organisation's directory. This page updates by itself.</p>
<p>Signing in as <span class="who">${input.view.username ?? ''}</span> to ${input.applicationName}</p>
<div class="actions">${cancelForm(input.links)}</div>`;

const mfaStep = (input: SignInPageInput): SafeHtml => {
  const { links, problem, view } = input;
  const left = view.mfaTriesLeft;
  const triesLeft =
    left === undefined
      ? NOTHING
      : markup`<span class="hint" id="code-tries">${left === 1 ? '1 try left' : `${left} tries left`}</span>`;
  const hints = ['code-hint', ...(left === undefined ? [] : ['code-tries'])];
  const fields = markup`<div class="field">
<label for="code">Verification code</label>
<span class="hint" id="code-hint">The 6-digit code your authenticator app shows now</span>
${triesLeft}
<input type="text" id="code" name="code" inputmode="numeric" pattern="[0-9]*" autocomplete="one-time-code" maxlength="10" required autofocus${described(problem, 'code', hints)}>
${fieldError(problem, 'code')}
</div>`;
  return markup`<h1>Enter your verification code</h1>
<p class="lead">Signing in as <span class="who">${view.username ?? ''}</span> to ${input.applicationName}</p>
${pageAlert(problem)}
${stepForm(links.mfa, fields, 'Verify', links)}`;
};

/** Headings for the ways an attempt ends; the message itself comes from the outcome table. */
const FAILURE_HEADINGS: Readonly<Record<string, string>> = {
  cancelled: 'Sign-in cancelled',
  timedOut: 'Sign-in timed out',
  agentUnavailable: 'Sign-in is unavailable',
  directoryUnavailable: 'Sign-in is unavailable',
};

const doneStep = (input: SignInPageInput): SafeHtml => {
  const { view, links } = input;
  if (view.outcome === 'signedIn') {
    // Shown only if the redirect to the application could not be made at once.
    return markup`<h1>You are signed in</h1>
<p role="status" aria-live="polite">Returning to ${input.applicationName}…</p>`;
  }
  const outcome = view.outcome ?? 'unknown';
  const retry =
    links.retry === null ? NOTHING : markup`<a class="button" href="${links.retry}">Try again</a>`;
  return markup`<h1>${FAILURE_HEADINGS[outcome] ?? 'Sign-in did not succeed'}</h1>
${pageAlert(input.problem)}
<div class="alert" role="alert"><p>${view.error?.message ?? 'Sign-in did not succeed.'}</p></div>
<p class="hint">For your help desk: <code>${view.error?.code ?? outcome}</code> · <code>${view.id}</code></p>
<div class="actions">${retry}${cancelForm(links, `Return to ${input.applicationName}`)}</div>`;
};

const TITLES: Readonly<Record<AttemptView['state'], string>> = {
  awaitingUsername: 'Sign in',
  awaitingPassword: 'Enter your password',
  queued: 'Checking your password',
  validated: 'Checking your password',
  mfa: 'Verification code',
  done: 'Sign-in',
};

export const renderSignInPage = (input: SignInPageInput): string => {
  const { view } = input;
  const checking = view.state === 'queued' || view.state === 'validated';
  const body = (() => {
    switch (view.state) {
      case 'awaitingUsername':
        return usernameStep(input);
      case 'awaitingPassword':
        return passwordStep(input);
      case 'queued':
      case 'validated':
        return checkingStep(input);
      case 'mfa':
        return mfaStep(input);
      case 'done':
        return doneStep(input);
    }
  })();
  return renderDocument({
    title: TITLES[view.state],
    nonce: input.nonce,
    ...(checking ? { head: waitingHead(input.nonce, input.links.wait) } : {}),
    body,
  });
};

/** A page with a heading, a message and, optionally, one link: expired sessions, errors. */
export const renderMessagePage = (input: {
  readonly title: string;
  readonly message: string;
  readonly nonce: string;
  readonly link?: { readonly href: string; readonly label: string };
}): string =>
  renderDocument({
    title: input.title,
    nonce: input.nonce,
    body: markup`<h1>${input.title}</h1>
<div class="alert" role="alert"><p>${input.message}</p></div>
${input.link === undefined ? NOTHING : markup`<p><a href="${input.link.href}">${input.link.label}</a></p>`}`,
  });
