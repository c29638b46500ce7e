import { createInMemoryMfaEnrolments } from '../../../src/infra/mfa/in-memory-enrolments.js';
import { describeMfaEnrolmentsContract } from '../../contract/mfa-enrolments-contract.js';

describeMfaEnrolmentsContract('in-memory', () =>
  Promise.resolve({ enrolments: createInMemoryMfaEnrolments(), cleanup: () => Promise.resolve() }),
);
