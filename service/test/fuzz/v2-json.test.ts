import { describeV2Fuzz } from "./support/v2-suite.js";

/**
 * Issue #21: generated requests to the V2 JSON infer route, valid ones built from the digits
 * model's signature and mutations of them (fields, tree, bytes, headers, URL). Every answer is a
 * 200 or a catalogued 4xx, every valid request a 200 with the right outputs, the service answers
 * afterwards; then the JSON decoder directly on every datatype (support/v2-suite.ts).
 */
describeV2Fuzz(false);
