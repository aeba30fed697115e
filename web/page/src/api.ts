/**
 * The page's view of the HTTP API (docs/webcli.md, "HTTP API"). Shapes are the server's own
 * types (type-only imports: nothing of the server is bundled).
 */
import type { HandlerInfo } from '../../core/registry.js';
import type { ActionJson, ArtifactRef, ChunkJson, ThreadActionJson, ThreadJson, ThreadSummaryJson } from '../../server/store.js';

export type { ActionJson, ArtifactRef, ChunkJson, HandlerInfo, ThreadActionJson, ThreadJson, ThreadSummaryJson };

export interface Me {
  id: number;
  email: string;
}

/** A non-2xx answer: status and the server's message (and parse position, for a 400 on submit). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly position?: number,
  ) {
    super(message);
  }
}

/** Fired on any 401: the page goes to /login. */
export const unauthenticated = new EventTarget();

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? (JSON.parse(text) as unknown) : null;
  if (!response.ok) {
    const e = (data ?? {}) as { message?: string; code?: string; position?: number };
    if (response.status === 401 && path !== '/api/login') unauthenticated.dispatchEvent(new Event('401'));
    throw new ApiError(response.status, e.message ?? `${method} ${path}: HTTP ${response.status}`, e.code, e.position);
  }
  return data as T;
}

export const api = {
  login: (email: string, password: string) => call<{ user: Me }>('POST', '/api/login', { email, password }),
  logout: () => call('POST', '/api/logout'),
  me: () => call<Me>('GET', '/api/me'),
  /** The public URL and the origins the websocket accepts (the page checks its own first). */
  live: () => call<{ publicUrl: string; origins: string[] }>('GET', '/api/live'),
  threads: () => call<ThreadSummaryJson[]>('GET', '/api/threads'),
  createThread: (title: string) => call<ThreadSummaryJson>('POST', '/api/threads', { title }),
  thread: (id: number) => call<ThreadJson>('GET', `/api/threads/${id}`),
  patchThread: (id: number, patch: { title?: { value: string }; description?: { value: string } }) =>
    call<ThreadSummaryJson>('PATCH', `/api/threads/${id}`, patch),
  deleteThread: (id: number) => call('DELETE', `/api/threads/${id}`),
  submit: (threadId: number, text: string) => call<ThreadActionJson>('POST', `/api/threads/${threadId}/actions`, { text }),
  patchThreadAction: (threadId: number, actionId: number, patch: { showQuestion?: { value: boolean }; showAnswer?: { value: boolean } }) =>
    call('PATCH', `/api/threads/${threadId}/actions/${actionId}`, patch),
  removeAction: (threadId: number, actionId: number) => call('DELETE', `/api/threads/${threadId}/actions/${actionId}`),
  move: (threadId: number, actionId: number, direction: 'up' | 'down') => call('POST', `/api/threads/${threadId}/actions/${actionId}/move`, { direction }),
  retitle: (actionId: number, title: string) => call('PATCH', `/api/actions/${actionId}`, { title: { value: title } }),
  cancel: (actionId: number) => call('POST', `/api/actions/${actionId}/cancel`),
  handlers: () => call<HandlerInfo[]>('GET', '/api/handlers'),
};

/** The download route of an artifact (ownership-checked by the server). */
export const artifactUrl = (id: string) => `/api/artifacts/${encodeURIComponent(id)}`;
