// The FreeSWITCH engine: the driver over the event socket, and the runner that
// starts a FreeSWITCH with a configuration Tenor writes (tests, small sites),
// and the HTTP server that gives FreeSWITCH Tenor's phones and trunks (mod_xml_curl).
export { FreeSwitchDriver, type FreeSwitchDriverConfig } from './driver.js';
export { startFreeSwitch, type RunningFreeSwitch, type StartFreeSwitchOptions } from './process.js';
export { DEFAULT_MODULES, type FsGateway } from './config-xml.js';
export { startFreeSwitchXmlServer, type FreeSwitchXmlServer, type FreeSwitchXmlServerOptions, type XmlCurlBinding } from './xml-curl-server.js';
export type { FsTrunk } from './trunk-gateways.js';
export { causeFromFreeSwitch, causeToFreeSwitch } from './causes.js';
export { RelayDirectory } from './relay-directory.js';
