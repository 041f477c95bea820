// What is still waiting to be sent, always in sight; conflicts and refusals are shown with what to
// do about them, never dropped.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { discard, flush, flushing, outbox, sendAnyway, type Entry } from "../outbox";

function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function Trouble({ entry }: { entry: Entry }) {
  const conflict = entry.state === "conflict";
  return (
    <li class="trouble">
      <p>
        <strong>{entry.label}</strong> <small>recorded {when(entry.recordedAt)}</small>
      </p>
      <p>
        {conflict
          ? "This contact changed on another device after you recorded this step."
          : (entry.problem?.title ?? "The server refused this step.")}
        {entry.problem?.detail ? ` ${entry.problem.detail}` : ""}
      </p>
      <div class="row">
        {entry.contactId ? (
          <Link class="button secondary" href={`/contacts/${entry.contactId}`}>
            See contact
          </Link>
        ) : null}
        {conflict ? (
          <button type="button" onClick={() => void sendAnyway(entry.id!)}>
            Record it anyway
          </button>
        ) : null}
        <button type="button" class="danger" onClick={() => void discard(entry.id!)}>
          Discard
        </button>
      </div>
    </li>
  );
}

export function PendingBar() {
  const [open, setOpen] = useState(false);
  const entries = outbox.value;
  if (entries.length === 0) return null;
  const troubles = entries.filter((e) => e.state !== "pending");
  const waiting = entries.length - troubles.length;
  return (
    <section class={troubles.length ? "pending has-trouble" : "pending"} aria-live="polite" aria-label="Waiting to be sent">
      <button type="button" class="pending-summary" aria-expanded={open || troubles.length > 0} onClick={() => setOpen(!open)}>
        {waiting > 0 ? `${waiting} step${waiting === 1 ? "" : "s"} waiting to be sent` : ""}
        {waiting > 0 && troubles.length > 0 ? " · " : ""}
        {troubles.length > 0 ? `${troubles.length} need${troubles.length === 1 ? "s" : ""} you` : ""}
        {flushing.value ? " · sending…" : ""}
      </button>
      {open || troubles.length > 0 ? (
        <ul class="pending-list">
          {troubles.map((e) => (
            <Trouble key={e.id} entry={e} />
          ))}
          {entries
            .filter((e) => e.state === "pending")
            .map((e) => (
              <li key={e.id} class="waiting">
                {e.label} <small>recorded {when(e.recordedAt)}</small>
              </li>
            ))}
          {waiting > 0 ? (
            <li>
              <button type="button" class="secondary" onClick={() => void flush()}>
                Try sending now
              </button>
            </li>
          ) : null}
        </ul>
      ) : null}
    </section>
  );
}
