// The drachtio engine: drachtio-server as the SIP edge, started by a runner with
// a configuration Tenor writes (tests, small sites).
export { drachtioConfXml, startDrachtio, type RunningDrachtio, type StartDrachtioOptions } from './process.js';
