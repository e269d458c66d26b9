export function buildBrowserBundle(options?: { outdir?: string; minify?: boolean }): Promise<{ esm: string; iife: string }>;
