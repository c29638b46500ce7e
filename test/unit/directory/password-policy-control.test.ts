import { BindRequest, BindResponse, MessageParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  PASSWORD_POLICY_OID,
  PasswordPolicyControl,
} from '../../../src/infra/directory/password-policy-control.js';

const tlv = (tag: number, content: Buffer): Buffer =>
  Buffer.concat([Buffer.from([tag, content.length]), content]);
const octets = (text: string | Buffer): Buffer =>
  tlv(0x04, typeof text === 'string' ? Buffer.from(text) : text);

/** A BindResponse (message 2) with `resultCode` and, if given, a ppolicy response control. */
const bindResponse = (resultCode: number, ppolicyValue?: Buffer): Buffer => {
  const result = tlv(
    0x61, // [APPLICATION 1] BindResponse
    Buffer.concat([Buffer.from([0x0a, 0x01, resultCode]), octets(''), octets('')]),
  );
  const controls =
    ppolicyValue === undefined
      ? Buffer.alloc(0)
      : tlv(0xa0, tlv(0x30, Buffer.concat([octets(PASSWORD_POLICY_OID), octets(ppolicyValue)])));
  return tlv(0x30, Buffer.concat([Buffer.from([0x02, 0x01, 0x02]), result, controls]));
};

/** Runs a response through ldapts' own parser, as `Client` does for the bind it sent. */
const parseWithLdapts = (response: Buffer, control: PasswordPolicyControl): BindResponse => {
  const request = new BindRequest({
    messageId: 2,
    dn: 'uid=a',
    password: 'x',
    controls: [control],
  });
  const parser = new MessageParser();
  let parsed: unknown;
  parser.on('message', (message) => {
    parsed = message;
  });
  parser.read(response, new Map([['2', { message: request }]]));
  expect(parsed).toBeInstanceOf(BindResponse);
  return parsed as BindResponse;
};

describe('the password policy control in ldapts', () => {
  it('is sent with its OID, not critical, without a value', () => {
    const request = new BindRequest({
      messageId: 2,
      dn: 'uid=a',
      password: 'x',
      controls: [new PasswordPolicyControl()],
    });
    const expected = tlv(
      0xa0,
      tlv(0x30, Buffer.concat([octets(PASSWORD_POLICY_OID), Buffer.from([0x01, 0x01, 0x00])])),
    );
    expect(request.write().includes(expected)).toBe(true);
  });

  it('receives the response control of a refused bind (49, accountLocked)', () => {
    const control = new PasswordPolicyControl();
    const response = parseWithLdapts(bindResponse(49, Buffer.from('3003810101', 'hex')), control);
    expect(response.status).toBe(49);
    expect(control.response).toEqual({ ok: true, response: { warning: null, error: 1 } });
  });

  it('receives the response control of a successful bind (0, changeAfterReset)', () => {
    const control = new PasswordPolicyControl();
    parseWithLdapts(bindResponse(0, Buffer.from('3003810102', 'hex')), control);
    expect(control.response).toEqual({ ok: true, response: { warning: null, error: 2 } });
  });

  it('stays null when the server attached no control', () => {
    const control = new PasswordPolicyControl();
    parseWithLdapts(bindResponse(0), control);
    expect(control.response).toBeNull();
  });

  it('records a value it cannot read as unreadable, never as no error', () => {
    const control = new PasswordPolicyControl();
    parseWithLdapts(bindResponse(0, Buffer.from('0400', 'hex')), control);
    expect(control.response).toMatchObject({ ok: false });
  });
});
