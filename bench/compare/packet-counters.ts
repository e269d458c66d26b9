// Packets a relay received and sent, counted by the kernel (iptables rules that
// only count) rather than by tcpdump, whose capture costs the sending process
// CPU and would be charged to the server under test.
//
// Two chains of our own, named after this process, hooked at the top of INPUT
// and OUTPUT: one rule counts UDP packets delivered to the relay's port range,
// the other UDP packets the relay sends from it. On loopback every packet
// crosses both hooks once, so "sent" is exactly what the relay relayed.
// Removed on dispose (and the hooks first, so no packet hits a chain being
// deleted).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function iptables(...args: string[]): Promise<string> {
  // -w: wait for the xtables lock, which other engineers' tools may hold for a moment.
  const { stdout } = await run('iptables', ['-w', '5', ...args]);
  return stdout;
}

export interface PacketCounts {
  /** UDP packets delivered to the port range. */
  received: number;
  /** UDP packets sent from the port range. */
  sent: number;
}

export interface PacketCounters {
  read(): Promise<PacketCounts>;
  dispose(): Promise<void>;
}

function countOf(listing: string): number {
  // `iptables -L CHAIN -v -x -n`: two header lines, then "pkts bytes target prot ...".
  const rule = listing.split('\n').slice(2).find((l) => l.trim() !== '');
  const packets = Number(rule?.trim().split(/\s+/)[0]);
  if (!Number.isFinite(packets)) throw new Error(`unreadable iptables counters: ${listing}`);
  return packets;
}

export async function countUdpPackets(ports: { from: number; to: number }): Promise<PacketCounters> {
  if (!Number.isInteger(ports.from) || !Number.isInteger(ports.to) || ports.from < 1 || ports.to > 65535 || ports.from > ports.to) {
    throw new Error(`bad port range ${ports.from}-${ports.to}`);
  }
  const range = `${ports.from}:${ports.to}`;
  const inChain = `tenor-cmp-in-${process.pid}`;
  const outChain = `tenor-cmp-out-${process.pid}`;
  const hooks: Array<[string, string]> = [];
  // If the benchmark ends without disposing (an exception, Ctrl-C: run.ts exits on SIGINT), the rules go with it.
  const removeOnExit = (): void => {
    const quiet = (args: string[]): void => { try { execFileSync('iptables', ['-w', '5', ...args], { stdio: 'ignore' }); } catch { /* already gone */ } };
    for (const [hook, chain] of hooks.splice(0)) quiet(['-D', hook, '-j', chain]);
    for (const chain of [inChain, outChain]) { quiet(['-F', chain]); quiet(['-X', chain]); }
  };
  process.once('exit', removeOnExit);
  const dispose = async (): Promise<void> => {
    process.off('exit', removeOnExit);
    for (const [hook, chain] of hooks.splice(0)) await iptables('-D', hook, '-j', chain).catch(() => undefined);
    for (const chain of [inChain, outChain]) {
      await iptables('-F', chain).catch(() => undefined);
      await iptables('-X', chain).catch(() => undefined);
    }
  };
  try {
    await iptables('-N', inChain);
    await iptables('-A', inChain, '-p', 'udp', '--dport', range);
    await iptables('-N', outChain);
    await iptables('-A', outChain, '-p', 'udp', '--sport', range);
    await iptables('-I', 'INPUT', '1', '-j', inChain);
    hooks.push(['INPUT', inChain]);
    await iptables('-I', 'OUTPUT', '1', '-j', outChain);
    hooks.push(['OUTPUT', outChain]);
  } catch (err) {
    await dispose();
    throw new Error(`iptables counters could not be set up (root and the nf_tables kernel support are needed): ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    async read(): Promise<PacketCounts> {
      const [inList, outList] = await Promise.all([iptables('-L', inChain, '-v', '-x', '-n'), iptables('-L', outChain, '-v', '-x', '-n')]);
      return { received: countOf(inList), sent: countOf(outList) };
    },
    dispose,
  };
}
