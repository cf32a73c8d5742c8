/**
 * Writes a rehearsal's report: report.json (the record), and rendered from it alone report.md and
 * the SVG charts (release.svg with every panel, and one file per panel). `--from` renders a saved
 * report.json again, which is how the README's committed chart is checked against its data.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CHART_FILE, renderMarkdown } from "./markdown.js";
import { PANELS, renderSvg } from "./svg.js";
import type { RehearsalReport } from "./types.js";

const PANEL_FILES: Record<(typeof PANELS)[number]["key"], string> = {
  requests_per_second: "requests.svg",
  p95_latency_seconds: "p95-latency.svg",
  error_rate: "error-rate.svg",
};

/** The rendered files (name → content) of a report. */
export function renderReport(report: RehearsalReport): Record<string, string> {
  const files: Record<string, string> = {
    "report.md": renderMarkdown(report),
    [CHART_FILE]: renderSvg(report),
  };
  if (report.timeline) for (const panel of PANELS) files[PANEL_FILES[panel.key]] = renderSvg(report, [panel]);
  return files;
}

export async function writeReport(dir: string, report: RehearsalReport): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = { "report.json": `${JSON.stringify(report, null, 2)}\n`, ...renderReport(report) };
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return Object.keys(files);
}

/** Renders a saved report.json into `dir` (report.md and the SVGs; the JSON itself is not rewritten). */
export async function renderFrom(file: string, dir: string): Promise<string[]> {
  const report = JSON.parse(await readFile(file, "utf8")) as RehearsalReport;
  await mkdir(dir, { recursive: true });
  const files = renderReport(report);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return Object.keys(files);
}
