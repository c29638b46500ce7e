import { Control } from 'ldapts';
import { readPpolicyResponseValue, type PpolicyResponseReading } from './ppolicy-response.js';

/** The password policy control's OID, for both the request and the response. */
export const PASSWORD_POLICY_OID = '1.3.6.1.4.1.42.2.27.8.5.1';

/** The BER reader ldapts hands to `parseControl`, named without depending on `asn1` itself. */
type ControlValueReader = Parameters<Control['parse']>[0];

/**
 * The password policy request control (no value, not critical: a server without ppolicy
 * simply ignores it), which also receives the server's response control.
 *
 * ldapts 8 parses only the controls it knows (paged results, sort, persistent search, entry
 * change), and `Client.bind` returns nothing and throws only a result-code error, so the bind
 * response's controls are not reachable through its API. But its ControlParser hands a
 * response control of an unknown type to the REQUEST control of the same OID (ControlParser:
 * `requestControls.find(c => c.type === type)`, then `control.parse(valueReader)`). So one
 * fresh instance of this class per bind is both the request and the place the answer lands:
 * after `bind()` resolves or throws, `response` says what slapd attached, if anything.
 */
export class PasswordPolicyControl extends Control {
  /** Null until (and unless) the bind response carried the control. */
  response: PpolicyResponseReading | null = null;

  constructor() {
    super(PASSWORD_POLICY_OID, { critical: false });
  }

  // The reader is positioned at the start of the control's value (ldapts makes a new reader
  // over the OCTET STRING's content), so `buffer` is exactly the value's bytes.
  protected override parseControl(reader: ControlValueReader): void {
    this.response = readPpolicyResponseValue(reader.buffer);
  }
}
