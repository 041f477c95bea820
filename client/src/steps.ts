// Recording a step: straight to the server when it can be, else into the outbox. A contact with steps
// already waiting gets the new one queued behind them, so the server sees them in the order tapped.
import { csrfHeader, newKey, type Contact, type Problem, type Step } from "./api/client";
import type { operations } from "./api/schema";
import { enqueue, flush, outbox } from "./outbox";

export type Outcome =
  | { kind: "sent"; contact: Contact | null; response: Response }
  | { kind: "queued" }
  | { kind: "problem"; problem: Problem };

export interface Recording {
  method?: "POST" | "PATCH" | "PUT" | "DELETE";
  path: string;
  body?: unknown;
  contactId: string | null;
  version: number | null;
  step: string;
  label: string;
}

function waitingFor(contactId: string | null): boolean {
  return contactId !== null && outbox.value.some((e) => e.contactId === contactId);
}

/** Record one step; never loses it: a network failure queues it with the same Idempotency-Key. */
export async function record(r: Recording): Promise<Outcome> {
  const key = newKey();
  const method = r.method ?? "POST";
  const queue = async (): Promise<Outcome> => {
    await enqueue({ key, method, path: r.path, body: r.body, contactId: r.contactId, ifMatch: r.version, step: r.step, label: r.label });
    void flush();
    return { kind: "queued" };
  };
  if (!navigator.onLine || waitingFor(r.contactId)) return queue();
  const headers: Record<string, string> = { "Content-Type": "application/json", "Idempotency-Key": key, ...csrfHeader() };
  if (r.version !== null) headers["If-Match"] = `"${r.version}"`;
  let response: Response;
  try {
    response = await fetch(r.path, {
      method,
      headers,
      credentials: "same-origin",
      body: r.body === undefined ? null : JSON.stringify(r.body),
    });
  } catch {
    return queue();
  }
  if (response.status >= 500) return queue();
  const body: unknown = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const problem = (body && typeof body === "object" ? body : { title: response.statusText }) as Problem;
    return { kind: "problem", problem: { ...problem, status: response.status } };
  }
  const contact = body && typeof body === "object" && "nextSteps" in body ? (body as Contact) : null;
  return { kind: "sent", contact, response };
}

/** Each step's route under /contacts/{id}/ and its operation (whose body type the call must match). */
export const STEPS = {
  request: ["requests", "RequestInterview"],
  follow_up: ["follow-ups", "FollowUpRequest"],
  answer: ["answers", "RecordAnswer"],
  schedule: ["interviews", "ScheduleInterview"],
  reschedule: ["reschedules", "RescheduleInterview"],
  cancel: ["cancellations", "CancelInterview"],
  held: ["held", "RecordInterviewHeld"],
  thanks: ["thanks", "SendThanks"],
  referral: ["referrals", "RecordReferral"],
  action_item: ["action-items", "AddActionItem"],
  complete_action_item: ["completed-action-items", "CompleteActionItem"],
  reflection: ["reflections", "RecordReflection"],
  keep_in_touch: ["touches", "KeepInTouch"],
  note: ["notes", "AddNote"],
  archive: ["archive", "ArchiveContact"],
  restore: ["restore", "RestoreContact"],
  erase: ["erasure", "EraseContact"],
} as const satisfies Record<Exclude<Step, "edit">, readonly [string, keyof operations]>;

export type StepName = keyof typeof STEPS;
type Operation<S extends StepName> = operations[(typeof STEPS)[S][1]];
export type StepBody<S extends StepName> = NonNullable<Operation<S>["requestBody"]>["content"]["application/json"];
export type EditBody = NonNullable<operations["EditContact"]["requestBody"]>["content"]["application/json"];

/** Record a lifecycle step of the contact on screen, against the version the student is looking at. */
export function recordStep<S extends StepName>(
  contact: Pick<Contact, "id" | "version" | "name">,
  step: S,
  body: StepBody<S>,
  label: string,
): Promise<Outcome> {
  return record({
    path: `/api/v1/contacts/${contact.id}/${STEPS[step][0]}`,
    body,
    contactId: contact.id,
    version: contact.version,
    step,
    label: `${label}: ${contact.name}`,
  });
}

/** Edit the contact's details (PATCH: only the fields given change). */
export function editContact(contact: Pick<Contact, "id" | "version" | "name">, body: EditBody): Promise<Outcome> {
  return record({
    method: "PATCH",
    path: `/api/v1/contacts/${contact.id}`,
    body,
    contactId: contact.id,
    version: contact.version,
    step: "edit",
    label: `Details edited: ${contact.name}`,
  });
}
