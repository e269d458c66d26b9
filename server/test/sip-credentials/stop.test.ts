// Replacing the SIP credentials service stops the old version for good: it lets go of its
// listener on user removals (each replacement would otherwise leave one more behind, every
// one of them deleting device secrets) and of the device secrets it had read (it answers no
// lookup), while its successor answers from the store. Stopping the whole server stops it too.
import t from 'tap';
import type { ServiceContext, ServiceDefinition } from '../../src/core/service-manager.js';
import type { SipCredentialsService } from '../../src/services/sip-credentials/index.js';
import { sipCredentialsService } from '../../src/services/sip-credentials/service.js';
import type { UsersService } from '../../src/services/users.js';
import { startTestApp } from '../helpers.js';

const SUE = { kind: 'user', name: 'sue' } as const;

t.test('a replaced sipCredentials version releases its users listener and its device secrets', async (t) => {
  const { services, config } = await startTestApp(t);
  const plain = sipCredentialsService(config);
  // A version started on the real store and users service, counting the listeners it holds on users.
  let listening = 0;
  let started: SipCredentialsService | undefined;
  const counted: ServiceDefinition<SipCredentialsService> = {
    ...plain,
    async start(ctx) {
      const users = ctx.get('users');
      const countedUsers: Pick<UsersService, 'onAccessChanged'> = {
        onAccessChanged(listener) {
          listening++;
          const off = users.onAccessChanged(listener);
          return () => {
            listening--;
            off();
          };
        },
      };
      const get = ((name: string) => (name === 'users' ? countedUsers : ctx.get(name))) as ServiceContext['get'];
      started = await plain.start({ ...ctx, get });
      return started;
    },
  };

  await services.replace('sipCredentials', counted);
  const old = started;
  if (!old) throw new Error('the counted version did not start');
  t.equal(listening, 1, 'the running version listens for user removals');
  await services.get('sipCredentials').setSecret(SUE, 'sue', 'sue-sip-device-secret');
  t.ok(old.lookup('sue'), 'it answers for the secret it holds');

  await services.replace('sipCredentials', plain);
  t.equal(listening, 0, 'once replaced, the old version no longer listens');
  t.equal(old.lookup('sue'), undefined, 'and holds no device secret any more');
  t.ok(services.get('sipCredentials').lookup('sue'), 'its successor answers from the store');
  t.equal(services.get('sipCredentials').status('sue'), 'set', 'with the secret set');

  await services.replace('sipCredentials', counted);
  const last = started;
  if (!last || last === old) throw new Error('the counted version did not start again');
  t.equal(listening, 1, 'a version started again listens once');
  await services.stopAll();
  t.equal(listening, 0, 'stopping the server releases its listener');
  t.equal(last.lookup('sue'), undefined, 'and its device secrets');
});
