import { fileURLToPath } from "node:url";

/** Data files the accuracy gate's tests read (wrong widths, labels outside the set, CSV). */
export const GATE_FIXTURES = fileURLToPath(new URL("../fixtures/accuracy-gate/", import.meta.url));
