// The slice of modesl (which ships no types) that esl-connection.ts uses.
// Only esl-connection.ts imports 'modesl'; nothing typed here leaves it.
declare module 'modesl' {
  interface EslEvent {
    getHeader(name: string): string | null | undefined;
    getBody(): string;
    headers: Array<{ name: string; value: unknown }>;
  }

  class Connection {
    constructor(host: string, port: number, password: string, ready?: () => void);
    api(command: string, args: string, cb: (event: EslEvent) => void): void;
    bgapi(command: string, args: string, cb: (event: EslEvent) => void): void;
    events(type: 'json' | 'plain', events: string[], cb?: (event: EslEvent) => void): void;
    sendRecv(command: string, args: Record<string, string> | null, cb: (event: EslEvent) => void): void;
    on(event: string, listener: (event: EslEvent) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    once(event: string, listener: (event: EslEvent) => void): this;
    removeListener(event: string, listener: (event: EslEvent) => void): this;
    disconnect(): void;
    connected(): boolean;
  }

  const modesl: { Connection: typeof Connection };
  export default modesl;
  export type { EslEvent, Connection as EslSocket };
}
