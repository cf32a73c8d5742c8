/** The `infergate` process: runs the command line and exits with its code. */
import { main } from "./main.js";

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`infergate: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(2);
  },
);
