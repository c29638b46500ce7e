import { describe, expect, it } from 'vitest';
import { escapeHtml, markup, trusted } from '../../../../src/actors/shared/html-markup.js';
import {
  formTargetOf,
  pageSecurityHeaders,
} from '../../../../src/infra/http/page/security-headers.js';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('leaves other text alone, non-ASCII included', () => {
    expect(escapeHtml('Zoë · 東京 / ok')).toBe('Zoë · 東京 / ok');
  });
});

describe('the markup tag', () => {
  it('escapes every interpolated value, but not its own markup', () => {
    const name = '<script>alert(1)</script>';
    expect(markup`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
  });

  it('nests safe markup as it is, flattens arrays and drops null, undefined and false', () => {
    const items = ['a<', 'b>'].map((x) => markup`<li>${x}</li>`);
    expect(markup`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe(
      '<ul><li>a&lt;</li><li>b&gt;</li></ul>0',
    );
    expect(markup`${trusted('<br>')}`.value).toBe('<br>');
  });
});

describe('the pages\u2019 security headers', () => {
  it('allow only the nonce for scripts and styles, and forbid framing', () => {
    const headers = pageSecurityHeaders({ nonce: 'abc' });
    expect(headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'nonce-abc'; style-src 'nonce-abc'; connect-src 'self'; " +
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(headers).toMatchObject({
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
  });

  it('let forms lead to the application\u2019s origin, and nothing that could add a directive', () => {
    expect(formTargetOf('https://app.example/cb?x=1')).toBe('https://app.example');
    expect(formTargetOf('com.example.app:/callback')).toBe('com.example.app:');
    expect(formTargetOf('not a url')).toBeNull();
    expect(formTargetOf('javascript:alert(1)')).toBeNull();
    expect(formTargetOf('data:text/html,x')).toBeNull();
    const csp = pageSecurityHeaders({
      nonce: 'n',
      formTargets: ['https://app.example/cb', 'https://app.example/other', 'x; script-src *'],
    })['content-security-policy'];
    expect(csp).toContain("form-action 'self' https://app.example;");
    expect(csp).not.toContain('script-src *');
  });
});
