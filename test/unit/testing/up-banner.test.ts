import { describe, expect, it } from 'vitest';
import { READY_LINE, renderBanner, type BannerInput } from '../../../src/cli/up/banner.js';
import type { DemoUser } from '../../../src/infra/directory/demo/index.js';
import { TestingError, readUpBanner } from '../../../src/testing/index.js';

/** readUpBanner reads back what renderBanner prints, field by field. */
const user = (username: string, password: string, shows: string): DemoUser => ({
  key: 'signsIn',
  username,
  dn: `uid=${username},ou=people,dc=demo,dc=test`,
  password,
  agentResult: 'success',
  outcome: 'signedIn',
  mfa: false,
  shows,
});

const DEMO: BannerInput = {
  signInUrl: 'http://127.0.0.1:41234/',
  natsUrl: 'nats://127.0.0.1:42345',
  natsKeys: {
    service: '/tmp/passage tester/data/nats-keys/service.nk',
    agent: '/tmp/passage tester/data/nats-keys/agent.nk',
    auditor: '/tmp/passage tester/data/nats-keys/auditor.nk',
  },
  tenant: 'default',
  dataDir: '/tmp/passage tester/data',
  logs: ['/tmp/passage tester/data/logs/service.log', '/tmp/passage tester/data/logs/agent.log'],
  directory: {
    kind: 'demo',
    url: 'ldaps://127.0.0.1:43456',
    users: [
      user('demo.alice', 'abcd-efgh-jkmn-pqrs', 'signs in; any other password: invalidCredentials'),
      user('demo.expired', 'tuvw-xyz2-3456-789a', 'passwordExpired'),
    ],
    mfa: {
      username: 'demo.mfa',
      enrolment: {
        secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
        uri: 'otpauth://totp/passage%20demo:demo.mfa?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=passage%20demo',
      },
    },
  },
};

describe('readUpBanner', () => {
  it('reads every field of a demo banner', () => {
    const banner = readUpBanner(`some log line before\n${renderBanner(DEMO)}`);
    expect(banner).toEqual({
      signInUrl: 'http://127.0.0.1:41234/',
      baseUrl: 'http://127.0.0.1:41234',
      natsUrl: 'nats://127.0.0.1:42345',
      natsKeys: {
        service: '/tmp/passage tester/data/nats-keys/service.nk',
        agent: '/tmp/passage tester/data/nats-keys/agent.nk',
        auditor: '/tmp/passage tester/data/nats-keys/auditor.nk',
      },
      natsCaFile: null,
      tenant: 'default',
      directoryUrl: 'ldaps://127.0.0.1:43456',
      dataDir: '/tmp/passage tester/data',
      demoUsers: new Map([
        ['demo.alice', 'abcd-efgh-jkmn-pqrs'],
        ['demo.expired', 'tuvw-xyz2-3456-789a'],
      ]),
      mfa: {
        username: 'demo.mfa',
        secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
        uri: DEMO.directory.kind === 'demo' ? DEMO.directory.mfa.enrolment.uri : '',
      },
    });
  });

  it('reads a banner of an existing directory: no demo users, no TOTP secret', () => {
    const banner = readUpBanner(
      renderBanner({
        ...DEMO,
        directory: { kind: 'existing', url: 'ldaps://dc1.corp.example:636' },
      }),
    );
    expect(banner.directoryUrl).toBe('ldaps://dc1.corp.example:636');
    expect(banner.demoUsers.size).toBe(0);
    expect(banner.mfa).toBeNull();
  });

  it('reads the CA of a NATS on TLS, and no keys from a banner that names none', () => {
    const tls = readUpBanner(
      renderBanner({
        ...DEMO,
        natsUrl: 'tls://127.0.0.1:42345',
        natsCaFile: '/tmp/passage tester/data/nats-tls/ca.pem',
      }),
    );
    expect(tls.natsUrl).toBe('tls://127.0.0.1:42345');
    expect(tls.natsCaFile).toBe('/tmp/passage tester/data/nats-tls/ca.pem');
    const { natsKeys, ...withoutKeys } = DEMO;
    expect(natsKeys).toBeDefined();
    const old = readUpBanner(renderBanner(withoutKeys));
    expect(old.natsKeys).toBeNull();
    expect(old.natsCaFile).toBeNull();
    expect(old.natsUrl).toBe('nats://127.0.0.1:42345');
  });

  it('prints how an auditor runs audit verify with its key', () => {
    const text = renderBanner({ ...DEMO, natsCaFile: '/tmp/ca.pem' });
    expect(text).toContain(
      'passage audit verify --nats nats://127.0.0.1:42345 --tenant default --nats-nkey-file /tmp/passage tester/data/nats-keys/auditor.nk --nats-ca-file /tmp/ca.pem',
    );
  });

  it('refuses half a banner (up still starting, or failed) with BANNER_UNREADABLE', () => {
    const whole = renderBanner(DEMO);
    const half = whole.slice(0, whole.indexOf(READY_LINE));
    expect(() => readUpBanner(half)).toThrow(TestingError);
    expect(() => readUpBanner(half)).toThrow(/has not finished starting/);
    expect(() => readUpBanner(READY_LINE)).toThrow(
      expect.objectContaining({ code: 'BANNER_UNREADABLE' }),
    );
  });
});
