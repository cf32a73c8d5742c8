/**
 * Progress lines on stderr (stdout stays for results). On a terminal one line is redrawn in
 * place; in CI logs a line is printed at most every `intervalMs` plus the final one, so a long
 * run shows it is alive without flooding the log.
 */
export class Progress {
  private last = 0;
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly intervalMs = 2000,
  ) {
    this.tty = Boolean(out.isTTY);
  }

  update(label: string, done: number, total: number, unit: string): void {
    const finished = done >= total;
    const now = Date.now();
    if (!finished && now - this.last < (this.tty ? 100 : this.intervalMs)) return;
    this.last = now;
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    const line = `${label}: ${done}/${total} ${unit} (${pct}%)`;
    if (this.tty) this.out.write(`\r\x1b[2K${line}${finished ? "\n" : ""}`);
    else this.out.write(`${line}\n`);
    if (finished) this.last = 0;
  }

  note(message: string): void {
    this.out.write(`${message}\n`);
  }
}
