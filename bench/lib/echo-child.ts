// The trivial far end of bench/jitter-floor.ts, in a process of its own as
// Tenor's server is: N UDP sockets, each sending every datagram straight back
// to where it came from. Replies { ports } over IPC once bound.
import dgram from 'node:dgram';

const streams = Number(process.argv[2] ?? 1);
const ports: number[] = [];
for (let i = 0; i < streams; i++) {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  ports.push(socket.address().port);
}
process.once('disconnect', () => process.exit(0));
process.send?.({ ports });
