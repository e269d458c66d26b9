export { Registrar, type RegistrarOptions, type RegisterInput, type RegisterOutcome, type RegisterContact } from './registrar.js';
export { BindingTable, type Binding, type BindingEvents } from './bindings.js';
export { InMemoryCredentialStore, type CredentialStore, type StoredCredential } from './credentials.js';
export { DigestAuthenticator, type AuthOutcome, type DigestAuthenticatorOptions } from './digest-server.js';
export { answerDigestChallenge, type DigestAnswer, type DigestClientCredentials } from './digest-client.js';
export { computeHa1, computeDigestResponse, parseDigestParams, type DigestAlgorithm } from './digest.js';
export { NonceIssuer, type NonceCheck } from './nonce.js';
export { registerInputFromRequest, responseForRegister } from './sip-register.js';
