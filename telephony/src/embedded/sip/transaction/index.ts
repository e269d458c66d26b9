export { TransactionLayer, type IncomingRequest, type TransactionLayerOptions } from './layer.js';
export { ClientTransaction, type ClientTransactionEvents, type ClientTransactionState } from './client.js';
export { ServerTransaction, type ServerTransactionEvents, type ServerTransactionState, type ResponseBody } from './server.js';
export { newBranch, hasRfc3261Branch, MAGIC_COOKIE } from './keys.js';
