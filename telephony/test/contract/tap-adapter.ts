// tap's Test has overloaded methods that TypeScript will not match to the
// contract suite's small ContractTest interface directly; this adapts one.
import type { Test } from 'tap';
import type { ContractTest } from '../../src/contract/suite.js';

export function contractTest(t: Test): ContractTest {
  return {
    test: (name, fn) => t.test(name, (sub) => fn(contractTest(sub))),
    skip: (name, reason) => t.test(name, { skip: reason }, () => undefined),
    ok: (value, message) => t.ok(value, message ?? 'ok'),
    equal: (found, wanted, message) => t.equal(found, wanted, message ?? 'should be equal'),
    same: (found, wanted, message) => t.same(found, wanted, message ?? 'should be equivalent'),
    comment: (message) => t.comment(message),
    teardown: (fn) => t.teardown(fn),
  };
}
