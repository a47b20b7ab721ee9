#!/usr/bin/env node
import { main } from './main.js';

// On Node 20 the AWS SDK prints a nine-line support notice on every run, which buries the one-line errors; the
// README states which Node versions are supported. Set the variable to `false` to see the notice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await main(process.argv.slice(2));
