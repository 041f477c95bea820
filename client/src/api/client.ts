// The one way the client talks to the server: openapi-fetch over the generated types, so a path, a
// body or a field the API doesn't have is a compile error. Never edit schema.d.ts: `rapport generate`.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Contact = Schemas["ContactDetail"];
export type ContactSummary = Schemas["ContactSummary"];
export type Step = Contact["nextSteps"][number];
export type Problem = { status: number; title: string; detail?: string; type?: string; [k: string]: unknown };

let csrfToken: string | null = null;

/** The session's CSRF token, echoed on every request that changes something. */
export function useCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function csrfHeader(): Record<string, string> {
  return csrfToken ? { "X-CSRF-Token": csrfToken } : {};
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== "GET" && request.method !== "HEAD" && csrfToken) {
      request.headers.set("X-CSRF-Token", csrfToken);
    }
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: location.origin, credentials: "same-origin" });
api.use(csrf);

/** A problem (RFC 9457) from an error body, or one made up for a failure that has no body. */
export function asProblem(error: unknown, response?: Response): Problem {
  if (error && typeof error === "object" && "title" in error) {
    return { status: response?.status ?? 0, ...(error as object) } as Problem;
  }
  if (response) return { status: response.status, title: response.statusText || "Something went wrong" };
  return { status: 0, title: "No connection", detail: "Check your connection and try again." };
}

/** True when a fetch failed for want of a network (not an answer from the server). */
export function isOffline(error: unknown): boolean {
  return error instanceof TypeError || !navigator.onLine;
}

export function newKey(): string {
  return crypto.randomUUID();
}
