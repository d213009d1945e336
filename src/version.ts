/** The evoalloc version, recorded in every file it writes. Keep in step with package.json. */
export const version = "0.1.0";
