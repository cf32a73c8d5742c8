import { describe, expect, it } from "vitest";
import {
  formatTrackPointer,
  POINTER_FILE,
  parseTrackPointer,
  type TrackPointer,
  trackPointerSchema,
} from "../../src/repository/track-pointer.js";

const WHERE = "/repo/digits/tracks.json";
const parse = (text: string) => parseTrackPointer(text, WHERE);
const errorOf = (text: string): string => {
  try {
    parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`expected ${text} to be refused`);
};

describe("track pointer (<model>/tracks.json)", () => {
  it("lives in tracks.json", () => {
    expect(POINTER_FILE).toBe("tracks.json");
  });

  describe("valid documents", () => {
    it("fills in mode off and weight 0 when only stable is given", () => {
      expect(parse('{"stable": 1}')).toEqual({ stable: 1, mode: "off", weight: 0 });
    });

    it("accepts an empty object (no stable: the newest ready version serves)", () => {
      expect(parse("{}")).toEqual({ mode: "off", weight: 0 });
    });

    it("accepts a canary and a shadow with their candidate and weight", () => {
      expect(parse('{"stable":1,"candidate":2,"mode":"canary","weight":0.25}')).toEqual({
        stable: 1,
        candidate: 2,
        mode: "canary",
        weight: 0.25,
      });
      expect(parse('{"stable":2,"candidate":3,"mode":"shadow","weight":1}')).toEqual({
        stable: 2,
        candidate: 3,
        mode: "shadow",
        weight: 1,
      });
    });

    it("accepts a parked candidate with mode off, and a canary without stable", () => {
      expect(parse('{"stable":1,"candidate":2,"mode":"off","weight":1}')).toEqual({
        stable: 1,
        candidate: 2,
        mode: "off",
        weight: 1,
      });
      expect(parse('{"candidate":4,"mode":"canary","weight":0}')).toEqual({
        candidate: 4,
        mode: "canary",
        weight: 0,
      });
    });

    it("accepts the weight bounds 0 and 1 and integral numbers written as 2.0", () => {
      expect(parse('{"stable":2.0,"candidate":3,"mode":"canary","weight":0}').weight).toBe(0);
      expect(parse('{"stable":2.0,"candidate":3,"mode":"canary","weight":1}')).toMatchObject({
        stable: 2,
        weight: 1,
      });
    });
  });

  describe("invalid documents name the file, the field and the problem", () => {
    it("refuses text that is not JSON, passing on the JSON parser's own words", () => {
      for (const text of ["{", "", '{"stable":1,', "stable: 1"]) {
        let parserSays = "";
        try {
          JSON.parse(text);
        } catch (err) {
          parserSays = (err as Error).message;
        }
        expect(parserSays).not.toBe("");
        expect(errorOf(text)).toBe(`${WHERE}: not valid JSON (${parserSays})`);
      }
    });

    it("refuses a document that is not an object", () => {
      expect(errorOf("[]")).toBe(`${WHERE}: (root): Invalid input: expected object, received array`);
      expect(errorOf("null")).toBe(`${WHERE}: (root): Invalid input: expected object, received null`);
      expect(errorOf("2")).toBe(`${WHERE}: (root): Invalid input: expected object, received number`);
    });

    it("refuses canary or shadow without a candidate", () => {
      for (const mode of ["canary", "shadow"]) {
        expect(errorOf(`{"stable":1,"mode":"${mode}","weight":0.5}`)).toBe(
          `${WHERE}: (root): mode canary/shadow needs a candidate version`,
        );
      }
    });

    it("refuses a candidate equal to stable, whatever the mode", () => {
      for (const mode of ["off", "canary", "shadow"]) {
        expect(errorOf(`{"stable":2,"candidate":2,"mode":"${mode}"}`)).toBe(
          `${WHERE}: (root): candidate must differ from stable`,
        );
      }
    });

    it("refuses out-of-range and mistyped fields", () => {
      expect(errorOf('{"stable":1,"candidate":2,"mode":"canary","weight":1.5}')).toBe(
        `${WHERE}: weight: Too big: expected number to be <=1`,
      );
      expect(errorOf('{"stable":1,"weight":-0.1}')).toBe(
        `${WHERE}: weight: Too small: expected number to be >=0`,
      );
      expect(errorOf('{"stable":0}')).toBe(`${WHERE}: stable: Too small: expected number to be >=1`);
      expect(errorOf('{"stable":1,"candidate":0}')).toBe(
        `${WHERE}: candidate: Too small: expected number to be >=1`,
      );
      expect(errorOf('{"stable":1.5}')).toBe(
        `${WHERE}: stable: Invalid input: expected int, received number`,
      );
      expect(errorOf('{"stable":"1"}')).toBe(
        `${WHERE}: stable: Invalid input: expected number, received string`,
      );
      expect(errorOf('{"stable":1,"mode":"blue"}')).toBe(
        `${WHERE}: mode: Invalid option: expected one of "off"|"canary"|"shadow"`,
      );
      expect(errorOf('{"stable":1,"weight":"0.5"}')).toBe(
        `${WHERE}: weight: Invalid input: expected number, received string`,
      );
    });

    it("refuses unknown keys (a typo must not silently mean 'off')", () => {
      expect(errorOf('{"stable":1,"candiate":2,"mode":"off"}')).toBe(
        `${WHERE}: (root): Unrecognized key: "candiate"`,
      );
    });

    it("lists every problem, separated by '; '", () => {
      expect(errorOf('{"stable":0,"weight":-0.1}')).toBe(
        `${WHERE}: stable: Too small: expected number to be >=1; weight: Too small: expected number to be >=0`,
      );
    });
  });

  describe("formatting and round trip", () => {
    it("writes two-space JSON with a trailing newline, in the pointer's key order", () => {
      expect(formatTrackPointer({ stable: 1, candidate: 2, mode: "canary", weight: 0.25 })).toBe(
        '{\n  "stable": 1,\n  "candidate": 2,\n  "mode": "canary",\n  "weight": 0.25\n}\n',
      );
      expect(formatTrackPointer({ stable: 2, mode: "off", weight: 0 })).toBe(
        '{\n  "stable": 2,\n  "mode": "off",\n  "weight": 0\n}\n',
      );
    });

    it("parses what it formats back to the same pointer", () => {
      const pointers: TrackPointer[] = [
        { mode: "off", weight: 0 },
        { stable: 1, mode: "off", weight: 0 },
        { stable: 1, candidate: 2, mode: "canary", weight: 0.1 },
        { stable: 2, candidate: 3, mode: "shadow", weight: 1 },
        { candidate: 7, mode: "canary", weight: 0.5 },
      ];
      for (const p of pointers) expect(parse(formatTrackPointer(p))).toEqual(p);
    });

    it("normalizes a hand-written file: defaults filled in, keys in schema order", () => {
      const text = '{"weight":0.5,"mode":"canary","candidate":2,"stable":1}';
      expect(formatTrackPointer(parse(text))).toBe(
        '{\n  "stable": 1,\n  "candidate": 2,\n  "mode": "canary",\n  "weight": 0.5\n}\n',
      );
      expect(formatTrackPointer(parse('{"stable":3}'))).toBe(
        '{\n  "stable": 3,\n  "mode": "off",\n  "weight": 0\n}\n',
      );
    });

    it("formats without validating: an invalid pointer does not survive the next parse", () => {
      const bad = { stable: 1, candidate: 1, mode: "canary", weight: 0.5 } as TrackPointer;
      expect(trackPointerSchema.safeParse(bad).success).toBe(false);
      expect(() => parse(formatTrackPointer(bad))).toThrow(
        `${WHERE}: (root): candidate must differ from stable`,
      );
    });
  });
});
