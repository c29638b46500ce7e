import { describe, expect, it } from 'vitest';
import type { AttemptView } from '../../../../src/actors/signin/flow-types.js';
import { describeOutcome } from '../../../../src/domain/outcomes/outcome-table.js';
import { FAILURE_OUTCOMES } from '../../../../src/domain/outcomes/vocabulary.js';
import {
  renderMessagePage,
  renderSignInPage,
  type FormProblem,
  type SignInLinks,
} from '../../../../src/infra/http/page/sign-in-page.js';

const LINKS: SignInLinks = {
  page: '/interaction/u1?try=1',
  username: '/interaction/u1/username?try=1',
  password: '/interaction/u1/password?try=1',
  mfa: '/interaction/u1/mfa?try=1',
  cancel: '/interaction/u1/cancel?try=1',
  retry: '/interaction/u1?try=2',
  wait: '/api/v1/signins/i0123?wait=20',
};

const view = (fields: Partial<AttemptView> & Pick<AttemptView, 'state'>): AttemptView => ({
  id: 'i0123',
  applicationId: 'portal',
  ...fields,
});

const render = (v: AttemptView, problem?: FormProblem, links: SignInLinks = LINKS) =>
  renderSignInPage({
    view: v,
    applicationName: 'Portal',
    links,
    nonce: 'NONCE',
    ...(problem === undefined ? {} : { problem }),
  });

/** Every `<h1>` of a page. */
const headings = (page: string) => [...page.matchAll(/<h1>([\s\S]*?)<\/h1>/g)].map((m) => m[1]);

describe('the sign-in page', () => {
  it('every state renders one document with a language, a title, one heading and the nonce style', () => {
    const states: AttemptView[] = [
      view({ state: 'awaitingUsername' }),
      view({ state: 'awaitingPassword', username: 'ada' }),
      view({ state: 'queued', username: 'ada' }),
      view({ state: 'validated', username: 'ada' }),
      view({ state: 'mfa', username: 'ada', mfaTriesLeft: 3 }),
      view({ state: 'done', username: 'ada', outcome: 'signedIn' }),
    ];
    for (const v of states) {
      const page = render(v);
      expect(page.startsWith('<!doctype html>')).toBe(true);
      expect(page).toContain('<html lang="en">');
      expect(page).toMatch(/<title>[^<]+ – passage<\/title>/);
      expect(headings(page)).toHaveLength(1);
      expect(page).toContain('<style nonce="NONCE">');
      expect(page).toContain('<main id="main">');
      // No external asset of any kind.
      expect(page).not.toMatch(/\b(src|href)="https?:/);
    }
  });

  it('asks for the username with a label, autocomplete and a cancel button', () => {
    const page = render(view({ state: 'awaitingUsername' }));
    expect(headings(page)).toEqual(['Sign in']);
    expect(page).toContain('to Portal');
    expect(page).toContain('<label for="username">Username</label>');
    expect(page).toMatch(
      /<input type="text" id="username" name="username" autocomplete="username"/,
    );
    expect(page).toContain(`<form method="post" action="${LINKS.username}"`);
    expect(page).toContain(`action="${LINKS.cancel}"`);
    expect(page).not.toContain('aria-invalid="true"');
  });

  it('asks for the password for the user named, as the current password', () => {
    const page = render(view({ state: 'awaitingPassword', username: 'ada@corp.example' }));
    expect(headings(page)).toEqual(['Enter your password']);
    expect(page).toContain('Signing in as <span class="who">ada@corp.example</span> to Portal');
    expect(page).toContain('<label for="password">Password</label>');
    expect(page).toMatch(
      /<input type="password" id="password" name="password" autocomplete="current-password"/,
    );
    // For password managers: the user name the password belongs to.
    expect(page).toContain('value="ada@corp.example" autocomplete="username" hidden readonly');
    expect(page).toContain(`href="${LINKS.retry ?? ''}">Use another account</a>`);
  });

  it('while checking: a live status, a no-script refresh, and a nonce script that long-polls the API', () => {
    for (const state of ['queued', 'validated'] as const) {
      const page = render(view({ state, username: 'ada' }));
      expect(headings(page)).toEqual(['Checking your password…']);
      expect(page).toContain('<p role="status" aria-live="polite">');
      expect(page).toContain('<noscript><meta http-equiv="refresh" content="2"></noscript>');
      expect(page).toContain('<script nonce="NONCE">');
      expect(page).toContain('fetch("/api/v1/signins/i0123?wait=20"');
      expect(page).toContain('window.location.reload()');
      expect(page).not.toContain('<input type="password"');
    }
  });

  it('asks for the code: numeric, one-time-code, the tries left described', () => {
    const page = render(view({ state: 'mfa', username: 'ada', mfaTriesLeft: 1 }));
    expect(headings(page)).toEqual(['Enter your verification code']);
    expect(page).toContain('<label for="code">Verification code</label>');
    expect(page).toContain('inputmode="numeric"');
    expect(page).toContain('autocomplete="one-time-code"');
    expect(page).toContain('<span class="hint" id="code-tries">1 try left</span>');
    expect(page).toContain('aria-describedby="code-hint code-tries"');
    expect(render(view({ state: 'mfa', username: 'ada', mfaTriesLeft: 3 }))).toContain(
      '3 tries left',
    );
  });

  it('ties an error to its field with aria-describedby and aria-invalid', () => {
    const username = render(view({ state: 'awaitingUsername' }), {
      field: 'username',
      message: 'Enter your username.',
    });
    expect(username).toContain(
      'aria-describedby="username-hint username-error" aria-invalid="true"',
    );
    expect(username).toContain('<p class="error" id="username-error">Enter your username.</p>');
    const password = render(view({ state: 'awaitingPassword', username: 'ada' }), {
      field: 'password',
      message: 'Enter your password.',
    });
    expect(password).toContain('aria-describedby="password-error" aria-invalid="true"');
    const code = render(view({ state: 'mfa', username: 'ada', mfaTriesLeft: 2 }), {
      field: 'code',
      message: 'That code is not right.',
    });
    expect(code).toContain(
      'aria-describedby="code-hint code-tries code-error" aria-invalid="true"',
    );
    const general = render(view({ state: 'awaitingPassword', username: 'ada' }), {
      field: 'page',
      message: 'That step was already taken.',
    });
    expect(general).toContain(
      '<div class="alert" role="alert" id="page-error">That step was already taken.</div>',
    );
  });

  it.each(FAILURE_OUTCOMES)(
    'explains the outcome %s and offers to try again or go back',
    (outcome) => {
      const { code, message } = describeOutcome(outcome);
      const page = render(
        view({ state: 'done', username: 'ada', outcome, error: { code, message } }),
      );
      expect(page).toContain(
        `<div class="alert" role="alert"><p>${message.replace(/'/g, '&#39;')}</p></div>`,
      );
      expect(page).toContain(`<code>${code}</code>`);
      expect(page).toContain(`<a class="button" href="${LINKS.retry ?? ''}">Try again</a>`);
      expect(page).toContain('Return to Portal</button>');
      expect(headings(page)).toHaveLength(1);
    },
  );

  it('offers no "Try again" once the tries are used up', () => {
    const page = render(
      view({ state: 'done', outcome: 'invalidCredentials', error: { code: 'X', message: 'no' } }),
      undefined,
      { ...LINKS, retry: null },
    );
    expect(page).not.toContain('Try again');
    expect(page).toContain('Return to Portal');
  });

  it('escapes everything it shows: user names, application names, messages, links', () => {
    const evil = `"><script>alert('x')</script>`;
    const page = renderSignInPage({
      view: view({ state: 'awaitingPassword', username: evil }),
      applicationName: `<img src=x onerror=alert(1)>`,
      links: { ...LINKS, password: `/p?a="><b>` },
      nonce: 'NONCE',
      problem: { field: 'page', message: '<i>bad</i>' },
    });
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<i>bad</i>');
    expect(page).not.toContain('"><b>');
    expect(page).toContain('&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const failed = render(
      view({ state: 'done', outcome: 'lockedOut', error: { code: '<c>', message: '<m>' } }),
    );
    expect(failed).toContain('&lt;m&gt;');
    expect(failed).toContain('&lt;c&gt;');
  });

  it('keeps the long-poll URL inert inside the script', () => {
    const page = render(view({ state: 'queued', username: 'ada' }), undefined, {
      ...LINKS,
      wait: '/api/</script><script>alert(1)</script>',
    });
    expect(page).not.toContain('</script><script>alert(1)');
    expect(page).toContain('\\u003c/script\\u003e');
  });

  it('renders a message page with an escaped message and an optional link', () => {
    const page = renderMessagePage({
      title: 'This sign-in has expired',
      message: 'Go <back>',
      nonce: 'N',
      link: { href: '/?a=1&b=2', label: 'Back' },
    });
    expect(headings(page)).toEqual(['This sign-in has expired']);
    expect(page).toContain('<p>Go &lt;back&gt;</p>');
    expect(page).toContain('<a href="/?a=1&amp;b=2">Back</a>');
  });
});
