// `node --import ./test/helpers/record-imports.mjs …` appends the URL of every module the process imports (ES module
// imports, the package's own included) to the file named by RECORD_IMPORTS.
import { register } from 'node:module';

register(new URL('./record-imports-hooks.mjs', import.meta.url), { data: process.env.RECORD_IMPORTS });
