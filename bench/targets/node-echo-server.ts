import { createServer } from "node:http";

/**
 * Baseline below the echo: node:http alone (no Fastify) parses the JSON body and sends it back.
 * It is what any Node server on this machine can do at most with this body, the floor under the
 * Fastify echo; the targets in issue #4 are read against it in bench/RESULTS.md.
 */
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    if (req.url === "/ready") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"ready":true}');
      return;
    }
    const text = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString("utf8")));
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT), "127.0.0.1");
// Exit normally on SIGTERM (run.ts stops servers so), so `node --cpu-prof` can write its profile.
process.once("SIGTERM", () => process.exit(0));
