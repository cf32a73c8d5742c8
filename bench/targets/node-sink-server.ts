import { createServer } from "node:http";

/**
 * Baseline of the large-tensor rows (issue #25): node:http alone reads a request's whole body
 * into one buffer (as a server must before it can decode a tensor) and answers a few bytes. What
 * moving a large body over loopback HTTP costs on this machine: the floor under the binary tensor
 * data row, as the bare echo is under the small-model rows.
 */
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const text = `{"bytes":${body.length}}`;
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT), "127.0.0.1");
// Exit normally on SIGTERM (the bench stops servers so), so `node --cpu-prof` can write its profile.
process.once("SIGTERM", () => process.exit(0));
