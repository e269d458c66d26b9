// The byte-level mutations of SIP messages the fuzzers share: the parser's
// property test (fuzz.test.ts) draws them with fast-check, the network fuzzer
// (test/peers/sip-fuzzer.ts) with a seeded generator of its own.

export type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; at: number; len: number; to: number }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'insert'; at: number; text: string };

/** Applies the mutations in order; offsets wrap around the current length. */
export function mutate(input: Buffer, mutations: Mutation[]): Buffer {
  let buf = input;
  for (const m of mutations) {
    const at = m.at % (buf.length + 1);
    switch (m.kind) {
      case 'flip':
        if (buf.length > 0) {
          buf = Buffer.from(buf);
          buf[at % buf.length] = m.byte;
        }
        break;
      case 'truncate':
        buf = buf.subarray(0, at);
        break;
      case 'duplicate': {
        const slice = buf.subarray(at, at + m.len);
        const to = m.to % (buf.length + 1);
        buf = Buffer.concat([buf.subarray(0, to), slice, buf.subarray(to)]);
        break;
      }
      case 'delete':
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.len)]);
        break;
      case 'insert':
        buf = Buffer.concat([buf.subarray(0, at), Buffer.from(m.text, 'latin1'), buf.subarray(at)]);
        break;
    }
  }
  return buf;
}
