// The drachtio engine: drachtio-server as the SIP edge and FreeSWITCH for the
// media (DrachtioDriver), and the runner that starts a drachtio-server with a
// configuration Tenor writes (tests, small sites).
export { DrachtioDriver, type DrachtioDriverConfig } from './driver.js';
export type { DrachtioTrunk } from './edge.js';
export { drachtioConfXml, startDrachtio, type RunningDrachtio, type StartDrachtioOptions } from './process.js';
