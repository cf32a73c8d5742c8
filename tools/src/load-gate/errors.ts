/**
 * The two ways the load gate ends without a verdict; both exit with EXIT_ERROR (2) and print only
 * their message (any other error is "unexpected" and prints its stack).
 */

/** Bad command-line use or input that cannot be used (missing file, bad manifest, no k6): the CLIs' shared one. */
export { UsageError } from "../cli/args.js";

/** The run could not be carried out (service did not start, k6 crashed, time limit, interrupted). */
export class RunError extends Error {}
