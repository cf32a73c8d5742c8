import { describeV2Fuzz } from "./support/v2-suite.js";

/**
 * Issue #21: generated requests to the V2 infer route with binary tensor data (the JSON header
 * and the tensors' bytes), valid and mutated (sizes that lie, truncated or extra bytes, header
 * lengths past the body, BYTES length prefixes). Same oracle as the JSON route
 * (support/v2-suite.ts), then the binary decoder directly on every datatype.
 */
describeV2Fuzz(true);
