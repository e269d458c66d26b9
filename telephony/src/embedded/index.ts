// Public surface of the embedded telephony engine: the driver, its
// configuration, trunks and the registrar. The SIP, RTP and media layers are
// exported from their own folders (sip/index.ts, sip/stack-index.ts,
// rtp/index.ts, media/index.ts).
export { EmbeddedDriver, EmbeddedCall, CallStateError, TrunkTable, type EmbeddedDriverConfig, type TrunkConfig, type TrunkRegistrationState } from './engine/index.js';
export {
  Registrar, BindingTable, InMemoryCredentialStore, DigestAuthenticator, answerDigestChallenge,
  type RegistrarOptions, type Binding, type BindingEvents, type CredentialStore, type StoredCredential,
  type DigestAlgorithm, type AuthOutcome,
} from './registrar/index.js';
