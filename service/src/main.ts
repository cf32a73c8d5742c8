/**
 * The server's entry point (`npm start` through `infergate serve`, the image's CMD, the bench):
 * everything the process does is in process/server.ts.
 */
import { serveProcess } from "./process/server.js";

serveProcess();
