// Typed fetch helpers for the server's REST API. The session cookie travels by itself
// (same origin); state-changing requests carry the session's CSRF token (docs/access.md).

import type { Me } from './wire.js';

/** A refused request, with the server's TENOR_ERR_* code when it sent one. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly retryAfterSeconds: number | null = null, readonly details: unknown = null) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onUnauthorized: () => void = () => {};

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the server says the session is gone (expired or logged out elsewhere). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(url, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return readResponse<T>(response, url);
}

/** Sends a file's bytes as they are (e.g. a WAV prompt), with its own content type. */
export async function putBytes<T>(url: string, bytes: Blob, contentType: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': contentType };
  if (csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  return readResponse<T>(await fetch(url, { method: 'PUT', headers, credentials: 'same-origin', body: bytes }), url);
}

/** Sends a document as text (a flow's YAML, a script's XML): the server reads it as written, so its problems can name lines. */
export async function sendText<T>(method: 'POST' | 'PUT', url: string, text: string, contentType: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': contentType };
  if (csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  return readResponse<T>(await fetch(url, { method, headers, credentials: 'same-origin', body: text }), url);
}

/** The JSON answer, or an ApiError carrying the server's TENOR_ERR_* code and message. */
async function readResponse<T>(response: Response, url: string): Promise<T> {
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const data: unknown = text === '' ? null : JSON.parse(text);
  if (!response.ok) {
    // The server wraps every error as { error: { code, message, details? } } (server/src/http/errors.ts).
    const err = ((data as { error?: unknown } | null)?.error ?? {}) as { code?: string; message?: string; details?: { retryAfterSeconds?: number } };
    if (response.status === 401 && url !== '/api/auth/login') onUnauthorized();
    throw new ApiError(response.status, err.code ?? `HTTP_${response.status}`, err.message ?? response.statusText, err.details?.retryAfterSeconds ?? null, err.details ?? null);
  }
  return data as T;
}

export const api = {
  get: <T>(url: string): Promise<T> => request<T>('GET', url),
  post: <T>(url: string, body?: unknown): Promise<T> => request<T>('POST', url, body ?? {}),
  patch: <T>(url: string, body: unknown): Promise<T> => request<T>('PATCH', url, body),
  put: <T>(url: string, body: unknown): Promise<T> => request<T>('PUT', url, body),
  del: (url: string): Promise<void> => request<void>('DELETE', url),
};

export async function login(username: string, password: string): Promise<Me> {
  const me = await api.post<Me>('/api/auth/login', { username, password });
  setCsrfToken(me.csrfToken);
  return me;
}

export async function currentSession(): Promise<Me | null> {
  try {
    const me = await api.get<Me>('/api/auth/me');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export async function logout(): Promise<void> {
  await api.post<void>('/api/auth/logout');
  setCsrfToken(null);
}
