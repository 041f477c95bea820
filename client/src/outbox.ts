// Steps recorded without a connection wait here (IndexedDB, so they survive a closed tab or a
// restarted phone) and are sent in the order they were recorded when the connection returns.
//
// Each entry carries the Idempotency-Key it was given when the student tapped: if an answer is lost
// on the way back, sending it again appends nothing twice (the server replays its first answer).
// Each entry also carries the version of the contact the student was looking at. The first queued
// step of a contact sends it as If-Match; the ones after it take the version the previous one
// returned. A 412 means the contact changed elsewhere meanwhile: the entry stays, marked as a
// conflict, and so does everything queued after it for that contact, until the student decides.
// A 409 `request-in-progress` means the step itself is still being recorded (its first sending's
// answer was lost): it stays pending and is sent again after `Retry-After`, never offered to discard.
import { signal } from "@preact/signals";
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import { csrfHeader, type Problem } from "./api/client";
import { session } from "./session";

export type EntryState = "pending" | "conflict" | "refused";

export interface Entry {
  id?: number;
  /** Whose step it is: a phone shared by two students never sends one's steps as the other. */
  account: string;
  key: string;
  method: "POST" | "PATCH" | "PUT" | "DELETE";
  path: string;
  body: unknown;
  contactId: string | null;
  /** The contact's version the step was recorded against; null: no precondition. */
  ifMatch: number | null;
  /** Take the version from the previous entry for this contact once it is sent. */
  chained: boolean;
  step: string;
  label: string;
  recordedAt: string;
  state: EntryState;
  problem?: Problem;
}

interface OutboxDB extends DBSchema {
  entries: { key: number; value: Entry; indexes: { byContact: string } };
}

let db: Promise<IDBPDatabase<OutboxDB>> | null = null;

function open(): Promise<IDBPDatabase<OutboxDB>> {
  db ??= openDB<OutboxDB>("rapport-outbox", 1, {
    upgrade(database) {
      const store = database.createObjectStore("entries", { keyPath: "id", autoIncrement: true });
      store.createIndex("byContact", "contactId");
    },
  });
  return db;
}

/** Everything not yet accepted by the server, oldest first. */
export const outbox = signal<Entry[]>([]);
export const flushing = signal(false);

function mine(entry: Entry): boolean {
  return entry.account === session.value?.accountId;
}

async function refresh(): Promise<void> {
  outbox.value = (await (await open()).getAll("entries")).filter(mine);
}

export async function loadOutbox(): Promise<void> {
  await refresh();
}

/** Queue a step. It chains onto any step already waiting for the same contact. */
export async function enqueue(entry: Omit<Entry, "id" | "account" | "state" | "chained" | "recordedAt">): Promise<void> {
  const account = session.value?.accountId;
  if (!account) throw new Error("Steps are recorded only when signed in.");
  const database = await open();
  const waiting = entry.contactId
    ? (await database.getAllFromIndex("entries", "byContact", entry.contactId)).length > 0
    : false;
  await database.add("entries", {
    ...entry,
    account,
    chained: waiting,
    recordedAt: new Date().toISOString(),
    state: "pending",
  });
  await refresh();
}

export async function discard(id: number): Promise<void> {
  const database = await open();
  const entry = await database.get("entries", id);
  await database.delete("entries", id);
  // What waited on it now stands on its own, against whatever the contact is now.
  if (entry?.contactId) {
    const next = (await database.getAllFromIndex("entries", "byContact", entry.contactId)).find((e) => e.id! > id);
    if (next?.chained) await database.put("entries", { ...next, chained: false, ifMatch: null });
  }
  await refresh();
}

/** Send a conflicting step again against the contact as it is now (no precondition). */
export async function sendAnyway(id: number): Promise<void> {
  const database = await open();
  const entry = await database.get("entries", id);
  if (!entry) return;
  const { problem: _, ...rest } = entry;
  await database.put("entries", { ...rest, ifMatch: null, chained: false, state: "pending" });
  await refresh();
  await flush();
}

export interface Sent {
  entry: Entry;
  response: Response;
}

/** Listeners told of each entry the server accepted (screens reload what it changed). */
const accepted = new Set<(sent: Sent) => void>();
export function onSent(listener: (sent: Sent) => void): () => void {
  accepted.add(listener);
  return () => accepted.delete(listener);
}

async function send(entry: Entry): Promise<Response> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "Idempotency-Key": entry.key,
    ...csrfHeader(),
  };
  if (entry.ifMatch !== null && !entry.chained) headers["If-Match"] = `"${entry.ifMatch}"`;
  return fetch(entry.path, {
    method: entry.method,
    headers,
    credentials: "same-origin",
    body: entry.body === undefined ? null : JSON.stringify(entry.body),
  });
}

async function problemOf(response: Response): Promise<Problem> {
  try {
    return { status: response.status, ...(await response.json()) } as Problem;
  } catch {
    return { status: response.status, title: response.statusText };
  }
}

async function flushNow(): Promise<void> {
  const database = await open();
  const blocked = new Set<string>();
  for (const entry of (await database.getAll("entries")).filter(mine)) {
    const contact = entry.contactId ?? "";
    if (entry.state !== "pending" || blocked.has(contact)) {
      if (entry.contactId) blocked.add(contact);
      continue;
    }
    let response: Response;
    try {
      response = await send(entry);
    } catch {
      return; // Still offline: try again when the connection returns.
    }
    if (response.ok) {
      await database.delete("entries", entry.id!);
      const version = Number((response.headers.get("ETag") ?? "").replace(/\D/g, ""));
      if (entry.contactId && Number.isFinite(version)) {
        // The next step queued for this contact now knows which version it follows.
        const [next] = await database.getAllFromIndex("entries", "byContact", entry.contactId);
        if (next?.chained) await database.put("entries", { ...next, chained: false, ifMatch: version });
      }
      await refresh();
      for (const listener of accepted) listener({ entry, response });
      continue;
    }
    if (response.status === 401 || response.status >= 500 || response.status === 429) return; // Try later.
    const problem = await problemOf(response);
    if (problem.type?.endsWith("/request-in-progress")) {
      // This very step (its key) is still being recorded, sent before a connection dropped: it may yet
      // succeed, so it is neither refused nor offered for discarding. Ask again when the server says.
      const seconds = Number(response.headers.get("Retry-After")) || 1;
      setTimeout(() => void flush(), Math.min(Math.max(seconds, 1), 60) * 1000);
      return;
    }
    const state: EntryState = response.status === 412 ? "conflict" : "refused";
    await database.put("entries", { ...entry, state, problem });
    if (entry.contactId) blocked.add(contact);
    await refresh();
  }
}

/** Send what is waiting, oldest first; one flush at a time, across tabs too (Web Locks). */
export async function flush(): Promise<void> {
  if (flushing.value) return;
  flushing.value = true;
  try {
    if ("locks" in navigator) await navigator.locks.request("rapport-outbox", flushNow);
    else await flushNow();
  } finally {
    flushing.value = false;
    await refresh();
  }
}

export function startOutbox(): void {
  // Whoever signs in gets their own waiting steps shown and sent.
  session.subscribe((who) => {
    if (who) void loadOutbox().then(flush);
    else outbox.value = [];
  });
  window.addEventListener("online", () => void flush());
  // A phone may come back online without an `online` event (a captive portal, a flaky radio).
  setInterval(() => {
    if (outbox.value.some((e) => e.state === "pending")) void flush();
  }, 20_000);
}
