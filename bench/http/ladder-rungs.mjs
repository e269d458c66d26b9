// The rungs of the HTTP comparison ladder, in order (each adds to the one before; ladder-server.mjs builds them).
export const RUNGS = [
  { name: 'node', what: 'ladder: bare node:http, JSON.stringify' },
  { name: 'fastify', what: 'ladder: bare fastify 5, no logger' },
  { name: 'logger', what: "ladder: + Tenor's pino logger (warn, request logging off)" },
  { name: 'options', what: "ladder: + Tenor's other fastify options" },
  { name: 'shell', what: "ladder: Tenor's createShell (errors, access)" },
  { name: 'schema', what: 'ladder: + response schema' },
  { name: 'plugins', what: 'ladder: + run-time routes hook, OpenAPI plugins' },
];
