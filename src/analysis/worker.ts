/** Worker threads on sibling modules (moved to src/util/worker.ts, shared with replay). */
export { siblingUrl, startWorker } from "../util/worker.ts";
