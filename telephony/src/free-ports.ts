// Free local ports for an engine Tenor starts (FreeSWITCH, drachtio-server): ask
// the kernel for one (bind to port 0 and release it). A TCP port for a control
// socket; for SIP a port free on both UDP and TCP, since both engines listen on both.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

function freeTcpPort(address: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, address, () => {
      const bound = server.address();
      const found = typeof bound === 'object' && bound ? bound.port : 0;
      server.close(() => resolve(found));
    });
  });
}

function freeUdpPort(address: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, address, () => {
      const found = socket.address().port;
      socket.close(() => resolve(found));
    });
  });
}

/** A free TCP port for a control connection (FreeSWITCH's event socket, drachtio's admin port). */
export async function freeControlPort(address: string): Promise<number> {
  return freeTcpPort(address);
}

export async function freeSipPort(address: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freeUdpPort(address);
    const tcpFree = await freeTcpPort(address, port).then(() => true, () => false);
    if (tcpFree) return port;
  }
  throw new Error(`no port free on both UDP and TCP at ${address}`);
}

/** A random 200-port RTP range (FreeSWITCH skips ports taken anyway: switch.conf's rtp-port-usage-robustness). */
export function randomRtpRange(): { min: number; max: number } {
  const min = 40000 + Math.floor(Math.random() * 100) * 200;
  return { min, max: min + 199 };
}
