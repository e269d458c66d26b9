// Kamailio (Debian's package) as the comparison's SIP proxy: a minimal
// stateful proxy (tm, sl, rr, maxfwd, with pv/siputils/textops for its tests; no dialog module) on 127.0.0.1 and a free
// port, forwarding everything to one downstream address (the SIPp uas). It
// record-routes INVITEs, so every request of a call crosses it, as through a
// B2BUA. With `rtpengine`, it also hands each INVITE's and 200's SDP to an
// rtpengine ng socket (offer/answer, delete on BYE), which is how the same
// SIPp caller/echo scenarios reach rtpengine's relay. Runs from a temporary
// folder, in the foreground (-DD: its worker processes stay our descendants),
// and is stopped by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort, isPortBound } from '../../telephony/test/peers/ports.js';

export interface KamailioOptions {
  /** Where every request is forwarded (the SIPp uas). */
  downstream: { address: string; port: number };
  /** An rtpengine ng socket: rewrite SDP so media flows through it. */
  rtpengine?: { address: string; port: number };
  /**
   * UDP worker processes (children), 1 unless told. With two, a 180 one worker
   * forwards can trail the 200 the other forwards: SIPp's uac then
   * aborts the call on the late 180 and counts it as failed (seen from 500 calls/s
   * on the shared machine). One worker keeps each call's responses in order.
   */
  children?: number;
}

export interface KamailioProcess {
  pid: number;
  address: string;
  port: number;
  stop(): Promise<void>;
}

const MODULES = '/usr/lib/x86_64-linux-gnu/kamailio/modules';

function validHost(address: string): string {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) throw new Error(`kamailio: an IPv4 address is expected, not ${address}`);
  return address;
}

function validChildren(children: number): number {
  if (!Number.isInteger(children) || children < 1 || children > 64) throw new Error(`kamailio: bad number of workers ${children}`);
  return children;
}

function validPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`kamailio: bad port ${port}`);
  return port;
}

export function kamailioConfig(listenPort: number, opts: KamailioOptions): string {
  const down = `"${validHost(opts.downstream.address)}", "${validPort(opts.downstream.port)}"`;
  const ng = opts.rtpengine;
  const media = ng === undefined
    ? { modules: '', offer: '', answer: '', remove: '' }
    : {
      modules: `loadmodule "rtpengine.so"\nmodparam("rtpengine", "rtpengine_sock", "udp:${validHost(ng.address)}:${validPort(ng.port)}")\n`,
      offer: '  if (is_method("INVITE") && has_body("application/sdp")) rtpengine_offer("replace-origin replace-session-connection");\n',
      answer: 'onreply_route[media] {\n  if (status =~ "^2" && has_body("application/sdp")) rtpengine_answer("replace-origin replace-session-connection");\n}\n',
      remove: '  if (is_method("BYE|CANCEL")) rtpengine_delete();\n',
    };
  return `#!KAMAILIO
debug=-1
log_stderror=yes
fork=yes
children=${validChildren(opts.children ?? 1)}
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
listen=udp:127.0.0.1:${validPort(listenPort)}
mpath="${MODULES}"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "pv.so"
loadmodule "siputils.so"
loadmodule "textops.so"
${media.modules}
request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  # An ACK to a failure belongs to our transaction: tm absorbs it.
  if (is_method("ACK") && t_check_trans()) { t_relay(); exit; }
  loose_route();
  if (is_method("INVITE") && !has_totag()) record_route();
${media.offer}${media.remove}${ng === undefined ? '' : '  t_on_reply("media");\n'}  if (!t_relay_to_udp(${down})) sl_reply_error();
  exit;
}
${media.answer}`;
}

export async function startKamailio(opts: KamailioOptions): Promise<KamailioProcess> {
  const folder = await mkdtemp(join(tmpdir(), 'tenor-compare-kamailio-'));
  const port = await freeUdpPort();
  const config = join(folder, 'kamailio.cfg');
  await writeFile(config, kamailioConfig(port, opts));
  const child: ChildProcess = spawn('kamailio', ['-f', config, '-DD', '-E', '-Y', folder, '-w', folder, '-m', '256'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If the benchmark ends without stopping it (an exception, Ctrl-C), Kamailio is told to stop (SIGTERM: its main process ends its workers) and its folder goes.
  const killOnExit = (): void => {
    if (child.exitCode === null) child.kill('SIGTERM');
    rmSync(folder, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(kill);
    }
    await rm(folder, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await isPortBound(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`kamailio did not start on 127.0.0.1:${port}: ${stderr.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (child.pid === undefined) throw new Error('kamailio: no pid');
  return { pid: child.pid, address: '127.0.0.1', port, stop };
}
