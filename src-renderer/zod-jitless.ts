// Imported first by main.tsx, before any contract schema is built: zod probes `new Function('')` when it builds
// an object schema, and the studio's Content-Security-Policy (no 'unsafe-eval') reports that probe as a
// violation on every page load. Jitless parsing never probes and is fast enough for the renderer's messages.
import { config } from 'zod';

config({ jitless: true });
