// `npm run host`: the studio host on 127.0.0.1 (or --host), printing the URL with its token.
import { runHost } from './host/run-host.ts';

await runHost(process.argv.slice(2));
