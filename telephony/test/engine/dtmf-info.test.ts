import t from 'tap';
import { digitFromInfo } from '../../src/embedded/engine/dtmf-info.js';

t.test('digits are read from both INFO body types', async (t) => {
  t.equal(digitFromInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n'), '5');
  t.equal(digitFromInfo('application/dtmf-relay', 'Signal= #\r\nDuration=100'), '#');
  t.equal(digitFromInfo('Application/DTMF-Relay; charset=x', 'signal=11\r\n'), '#', 'event code 11 is #');
  t.equal(digitFromInfo('application/dtmf', '*'), '*');
  t.equal(digitFromInfo('application/dtmf', '10'), '*', 'event code 10 is *');
  t.equal(digitFromInfo('application/dtmf', 'x'), undefined);
  t.equal(digitFromInfo('text/plain', '5'), undefined, 'other body types are not digits');
});
