// bench/run.sh runs bench/<name>.ts: this is the way into bench/site-load/run.ts
// (the whole-site load lives in its folder).
import './site-load/run.js';
