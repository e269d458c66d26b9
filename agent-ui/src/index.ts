import { fileURLToPath } from 'node:url';

/** Folder of the web client's static files, served by the server at `/`. */
export const uiRoot: string = fileURLToPath(new URL('../public/', import.meta.url));
