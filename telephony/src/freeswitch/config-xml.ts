// The configuration Tenor writes for a FreeSWITCH it starts: one freeswitch.xml
// (FreeSWITCH's own XML registry, not the vanilla conf tree) with the core
// settings, the modules to load, the event socket on a local address with its
// password, one sofia profile, and a dialplan that parks every call arriving
// on the profile so the driver takes it over the event socket. With Tenor's
// directory (xml-curl-server.ts) the profile also authenticates phones and
// takes its gateways from there.

/** A carrier the profile can dial through (`sofia/gateway/<name>/<number>`). */
export interface FsGateway {
  name: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
  username?: string;
  password?: string;
  register?: boolean;
}

export interface FsConfigOptions {
  /** Where SIP and RTP listen (127.0.0.1 in tests). */
  address: string;
  /** The address written into SIP and SDP (default: `address`). */
  publicAddress?: string;
  sipPort: number;
  rtpPorts: { min: number; max: number };
  /** Where the event socket listens (default: `address`), and its password. */
  eventSocket: { address?: string; port: number; password: string };
  /** The sofia profile's name, also the dialplan context every call lands in. */
  profile: string;
  modules: readonly string[];
  /** An answered call with no RTP for this long is hung up with MEDIA_TIMEOUT. */
  mediaTimeoutMs: number;
  logFile: string;
  gateways?: readonly FsGateway[];
  /**
   * Tenor's directory over mod_xml_curl (xml-curl-server.ts): phones register
   * in `domain` with Tenor's secrets, INVITEs are challenged except from the
   * trunks' addresses, and the trunks are the profile's gateways.
   */
  directory?: { xmlCurl: { url: string; username: string; password: string }; domain: string };
  /**
   * SIP over WebSocket (RFC 7118) for browser phones, on the loopback: only
   * Tenor's /sip relay connects here (sip-ws-relay.ts). Calls on it get
   * WebRTC media (ICE, DTLS-SRTP, RTCP-mux).
   */
  webSocket?: { port: number };
}

/** The modules a Tenor-driven FreeSWITCH needs (all part of the build in scripts/build-freeswitch.sh). */
export const DEFAULT_MODULES: readonly string[] = [
  'mod_console', 'mod_logfile', 'mod_event_socket', 'mod_sofia', 'mod_commands', 'mod_dptools',
  'mod_dialplan_xml', 'mod_sndfile', 'mod_native_file', 'mod_tone_stream', 'mod_loopback',
];

/** The network list in acl.conf whose node names Tenor's domain: the addresses calls from trunks come from. */
export const TRUNK_ACL = 'tenor-trunks';

/** mod_xml_curl must be loaded before mod_sofia, whose profile asks the directory for its gateways as it starts. */
export function withXmlCurl(modules: readonly string[]): string[] {
  const rest = modules.filter((m) => m !== 'mod_xml_curl');
  const sofia = rest.indexOf('mod_sofia');
  return sofia < 0 ? [...rest, 'mod_xml_curl'] : [...rest.slice(0, sofia), 'mod_xml_curl', ...rest.slice(sofia)];
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The ICE candidates of a browser FreeSWITCH may pick, in order of preference:
 * FreeSWITCH's own network first, then private and public ones; loopback only
 * when the media address is itself a loopback one (a test, a single host).
 */
export function candidateAcls(mediaAddress: string): string[] {
  const loopback = /^127\./.test(mediaAddress) || mediaAddress === '::1';
  return [...(loopback ? ['loopback.auto'] : []), 'localnet.auto', 'rfc1918.auto', 'wan.auto'];
}

function params(values: Record<string, string | number | boolean>, indent: string): string {
  return Object.entries(values)
    .map(([name, value]) => `${indent}<param name="${escapeXml(name)}" value="${escapeXml(String(value))}"/>`)
    .join('\n');
}

function gatewayXml(gw: FsGateway): string {
  return `        <gateway name="${escapeXml(gw.name)}">
${params({
    proxy: `${gw.host}:${gw.port}`,
    register: gw.register === true,
    'register-transport': gw.transport,
    username: gw.username ?? 'tenor',
    password: gw.password ?? 'unused',
    'caller-id-in-from': true,
  }, '          ')}
        </gateway>`;
}

/** The profile's WebSocket binding for Tenor's relay, and which browser candidates its media may use (repeated params). */
function webSocketParams(port: number, mediaAddress: string): string {
  const indent = '            ';
  return [
    `${indent}<param name="ws-binding" value="127.0.0.1:${port}"/>`,
    ...candidateAcls(mediaAddress).map((acl) => `${indent}<param name="apply-candidate-acl" value="${escapeXml(acl)}"/>`),
  ].join('\n');
}

/** xml_curl.conf and acl.conf for Tenor's directory, and what the profile gets for it. */
function directoryParts(o: FsConfigOptions): { configuration: string; domains: string; settings: Record<string, string | boolean> } {
  const d = o.directory;
  if (!d) return { configuration: '', domains: '<domains/>', settings: { 'auth-calls': false } };
  const domain = escapeXml(d.domain);
  return {
    configuration: `
    <configuration name="xml_curl.conf" description="Tenor serves the directory">
      <bindings>
        <binding name="tenor">
          <param name="gateway-url" value="${escapeXml(d.xmlCurl.url)}" bindings="directory"/>
          <param name="gateway-credentials" value="${escapeXml(`${d.xmlCurl.username}:${d.xmlCurl.password}`)}"/>
          <param name="auth-scheme" value="basic"/>
          <param name="timeout" value="5"/>
          <param name="disable-100-continue" value="true"/>
        </binding>
      </bindings>
    </configuration>
    <configuration name="acl.conf" description="the trunks' addresses, served by Tenor">
      <network-lists>
        <list name="${TRUNK_ACL}" default="deny">
          <node type="allow" domain="${domain}"/>
        </list>
      </network-lists>
    </configuration>`,
    domains: `<domains><domain name="${domain}" parse="true" alias="false"/></domains>`,
    settings: {
      'auth-calls': true, 'apply-inbound-acl': TRUNK_ACL,
      'challenge-realm': d.domain, 'force-register-domain': d.domain, 'force-register-db-domain': d.domain,
    },
  };
}

export function freeswitchXml(o: FsConfigOptions): string {
  const a = escapeXml(o.address);
  const mediaTimeout = Math.max(1, Math.round(o.mediaTimeoutMs));
  const directory = directoryParts(o);
  return `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="configuration" description="written by Tenor">
    <configuration name="switch.conf" description="core">
      <settings>
${params({
    'max-sessions': 2000, 'sessions-per-second': 1000, loglevel: 'info', 'colorize-console': false,
    'rtp-start-port': o.rtpPorts.min, 'rtp-end-port': o.rtpPorts.max, 'dump-cores': false,
    // FreeSWITCH hands out RTP ports without trying them; a port another program
    // holds then fails the call (INCOMPATIBLE_DESTINATION). With this it binds
    // each port once before using it and skips the taken ones.
    'rtp-port-usage-robustness': true,
  }, '        ')}
      </settings>
    </configuration>
    <configuration name="modules.conf" description="modules">
      <modules>
${o.modules.map((m) => `        <load module="${escapeXml(m)}"/>`).join('\n')}
      </modules>
    </configuration>
    <configuration name="console.conf" description="console">
      <mappings><map name="all" value="console,debug,info,notice,warning,err,crit,alert"/></mappings>
      <settings><param name="colorize" value="false"/><param name="loglevel" value="warning"/></settings>
    </configuration>
    <configuration name="logfile.conf" description="log file">
      <settings><param name="rotate-on-hup" value="true"/></settings>
      <profiles>
        <profile name="default">
          <settings><param name="logfile" value="${escapeXml(o.logFile)}"/><param name="rollover" value="0"/></settings>
          <mappings><map name="all" value="info,notice,warning,err,crit,alert"/></mappings>
        </profile>
      </profiles>
    </configuration>
    <configuration name="event_socket.conf" description="event socket">
      <settings>
${params({ 'listen-ip': o.eventSocket.address ?? o.address, 'listen-port': o.eventSocket.port, password: o.eventSocket.password, nat_map: false }, '        ')}
      </settings>
    </configuration>${directory.configuration}
    <configuration name="sofia.conf" description="SIP">
      <global_settings><param name="log-level" value="0"/><param name="debug-presence" value="0"/></global_settings>
      <profiles>
        <profile name="${escapeXml(o.profile)}">
          <gateways>
${(o.gateways ?? []).map(gatewayXml).join('\n')}
          </gateways>
          ${directory.domains}
          <settings>
${params({
    'sip-ip': o.address, 'rtp-ip': o.address, 'ext-sip-ip': o.publicAddress ?? o.address, 'ext-rtp-ip': o.publicAddress ?? o.address,
    'sip-port': o.sipPort, context: o.profile, dialplan: 'XML',
    ...directory.settings, 'accept-blind-reg': false, 'manage-presence': false,
    'inbound-codec-prefs': 'PCMU,PCMA', 'outbound-codec-prefs': 'PCMU,PCMA',
    'dtmf-type': 'rfc2833', 'rfc2833-pt': 101, 'liberal-dtmf': true,
    'rtp-timer-name': 'soft',
    'hold-music': 'silence_stream://-1', 'user-agent-string': 'Tenor-FreeSWITCH',
    'enable-100rel': false, 'inbound-late-negotiation': false, 'disable-register': false,
  }, '            ')}
${o.webSocket ? webSocketParams(o.webSocket.port, o.publicAddress ?? o.address) : ''}
          </settings>
        </profile>
      </profiles>
    </configuration>
  </section>
  <section name="dialplan" description="every call waits, parked, for Tenor">
    <context name="${escapeXml(o.profile)}">
      <extension name="tenor-park">
        <condition field="destination_number" expression="^.*$">
          <action application="set" data="park_after_bridge=true"/>
          <action application="set" data="hangup_after_bridge=false"/>
          <action application="set" data="media_timeout=${mediaTimeout}"/>
          <action application="park"/>
        </condition>
      </extension>
    </context>
  </section>
  <section name="directory" description="no users here: Tenor serves them over mod_xml_curl when asked to">
    <domain name="${a}"/>
  </section>
</document>
`;
}
