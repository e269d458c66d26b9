export { runDriverContract, waitUntil, CONTRACT_CASES, type ContractOptions, type ContractTest } from './suite.js';
export type { DriverHarness, PeerAnswerMode, PeerCall, PeerEnd, TestPeer } from './harness.js';
