// Who is signed in. The session cookie is HttpOnly; the client only holds what GetSession says,
// including the CSRF token that requests which change something must echo.
import { signal } from "@preact/signals";
import { api, useCsrfToken, type Schemas } from "./api/client";

export type Session = Schemas["SessionBody"];

/** undefined: not known yet; null: signed out. */
export const session = signal<Session | null | undefined>(undefined);

export function adopt(next: Session | null): void {
  useCsrfToken(next?.csrfToken ?? null);
  session.value = next;
}

export async function loadSession(): Promise<void> {
  try {
    const { data, response } = await api.GET("/api/v1/auth/session");
    if (data) adopt(data);
    else if (response.status === 401) adopt(null);
    else adopt(session.value ?? null);
  } catch {
    // Offline with nothing kept: show sign-in; the outbox keeps what was queued.
    adopt(null);
  }
}

/** Forget what this device kept of the account: kept reads in the service worker's cache. */
export async function forgetLocalData(): Promise<void> {
  if ("caches" in window) await caches.delete("api");
}
