// The configuration Tenor writes for a FreeSWITCH it starts: one freeswitch.xml
// (FreeSWITCH's own XML registry, not the vanilla conf tree) with the core
// settings, the modules to load, the event socket on a local address with its
// password, one sofia profile, and a dialplan that parks every call arriving
// on the profile so the driver takes it over the event socket.

/** A carrier the profile can dial through (`sofia/gateway/<name>/<number>`). */
export interface FsGateway {
  name: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
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
}

/** The modules a Tenor-driven FreeSWITCH needs (all part of the build in scripts/build-freeswitch.sh). */
export const DEFAULT_MODULES: readonly string[] = [
  'mod_console', 'mod_logfile', 'mod_event_socket', 'mod_sofia', 'mod_commands', 'mod_dptools',
  'mod_dialplan_xml', 'mod_sndfile', 'mod_native_file', 'mod_tone_stream', 'mod_loopback',
];

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
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

export function freeswitchXml(o: FsConfigOptions): string {
  const a = escapeXml(o.address);
  const mediaTimeout = Math.max(1, Math.round(o.mediaTimeoutMs));
  return `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="configuration" description="written by Tenor">
    <configuration name="switch.conf" description="core">
      <settings>
${params({
    'max-sessions': 2000, 'sessions-per-second': 1000, loglevel: 'info', 'colorize-console': false,
    'rtp-start-port': o.rtpPorts.min, 'rtp-end-port': o.rtpPorts.max, 'dump-cores': false,
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
    </configuration>
    <configuration name="sofia.conf" description="SIP">
      <global_settings><param name="log-level" value="0"/><param name="debug-presence" value="0"/></global_settings>
      <profiles>
        <profile name="${escapeXml(o.profile)}">
          <gateways>
${(o.gateways ?? []).map(gatewayXml).join('\n')}
          </gateways>
          <domains/>
          <settings>
${params({
    'sip-ip': o.address, 'rtp-ip': o.address, 'ext-sip-ip': o.publicAddress ?? o.address, 'ext-rtp-ip': o.publicAddress ?? o.address,
    'sip-port': o.sipPort, context: o.profile, dialplan: 'XML',
    'auth-calls': false, 'accept-blind-reg': false, 'manage-presence': false,
    'inbound-codec-prefs': 'PCMU,PCMA', 'outbound-codec-prefs': 'PCMU,PCMA',
    'dtmf-type': 'rfc2833', 'rfc2833-pt': 101, 'liberal-dtmf': true,
    'rtp-timer-name': 'soft',
    'hold-music': 'silence_stream://-1', 'user-agent-string': 'Tenor-FreeSWITCH',
    'enable-100rel': false, 'inbound-late-negotiation': false, 'disable-register': false,
  }, '            ')}
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
  <section name="directory" description="no users: Tenor authenticates nobody here yet">
    <domain name="${a}"/>
  </section>
</document>
`;
}
