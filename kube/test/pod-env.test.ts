/**
 * The downward API's resource fields as pod-env.ts resolves them for the local Pods: quantities
 * in the forms the chart uses, and the divisor "0" the API server stores when none is given.
 */
import { describe, expect, it } from "vitest";
import { quantityBytes } from "../lib/pod-env.js";

describe("quantityBytes", () => {
  it.each([
    ["1Gi", 2 ** 30],
    ["512Mi", 512 * 2 ** 20],
    ["96Mi", 96 * 2 ** 20],
    ["1G", 1e9],
    ["1536M", 1.536e9],
    ["64Ki", 65_536],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["1073741824", 2 ** 30],
    ["0", 0],
  ])("%s is %d bytes", (quantity, bytes) => {
    expect(quantityBytes(quantity)).toBe(bytes);
  });

  it.each(["1GB", "Gi", "-1Gi", "500m"])("refuses %s rather than guess", (quantity) => {
    expect(() => quantityBytes(quantity)).toThrow(`quantity ${quantity} is not resolved here`);
  });
});
