// The FreeSWITCH engine: the driver over the event socket, and the runner that
// starts a FreeSWITCH with a configuration Tenor writes (tests, small sites).
export { FreeSwitchDriver, type FreeSwitchDriverConfig } from './driver.js';
export { startFreeSwitch, type RunningFreeSwitch, type StartFreeSwitchOptions } from './process.js';
export { DEFAULT_MODULES, type FsGateway } from './config-xml.js';
export { causeFromFreeSwitch, causeToFreeSwitch } from './causes.js';
