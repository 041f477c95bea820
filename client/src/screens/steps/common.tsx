// What every step form shares: its frame (a heading that takes focus, the fields, the problem next to
// them, one primary verb and Cancel), the recording of the step, and the small fields most steps use.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Contact, type Problem, type Schemas } from "../../api/client";
import { outbox } from "../../outbox";
import type { Outcome } from "../../steps";
import { useLoad } from "../../ui/data";
import { ProblemNote } from "../../ui/problem";

export type Format = Schemas["ScheduleInterview"]["format"];
export type Channel = Schemas["RequestInterview"]["channel"];

/** A scheduled interview as the student will see it once the steps waiting on this phone are sent. */
export interface Upcoming {
  id: string;
  startsAt: string;
  minutes: number;
  format: Format;
  place: string | null;
  queued: boolean;
}

/** An open action item, the same way. */
export interface OpenItem {
  id: string;
  what: string;
  due: string;
  queued: boolean;
}

export interface StepContext {
  contact: Contact;
  upcoming: Upcoming[];
  openItems: OpenItem[];
}

export interface NoticeLink {
  href: string;
  text: string;
  /** A route inside the app (#/…), else a plain link (a file, an email). */
  internal?: boolean;
  download?: boolean;
}

export interface Done {
  kind: "sent" | "queued";
  contact: Contact | null;
  message: string;
  links: NoticeLink[];
}

export interface StepProps {
  ctx: StepContext;
  /** What the link that opened the form names (an action item's id): chosen at first. */
  target?: string | null;
  onDone: (done: Done) => void;
  onCancel: () => void;
  reload: () => void;
}

export const QUEUED_MESSAGE = "Saved on this phone; it will be sent when you're back online.";

/** Trimmed text of a field, or null when blank. */
export function text(form: FormData, name: string): string | null {
  const value = form.get(name);
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** Non-blank lines of a textarea. */
export function lines(form: FormData, name: string): string[] {
  return (text(form, name) ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * The moment the student tapped, when the step will wait on this phone before it is sent: sent later,
 * the server would otherwise take the moment it arrives. Sent now, the server's own clock decides.
 */
export function tappedAt(contactId: string): string | undefined {
  const waiting = !navigator.onLine || outbox.value.some((e) => e.contactId === contactId);
  return waiting ? new Date().toISOString() : undefined;
}

let ids = 0;
/** A stable id for aria-labelledby and friends. */
export function useId(prefix: string): string {
  const [id] = useState(() => `${prefix}-${++ids}`);
  return id;
}

export interface FrameProps extends StepProps {
  title: string;
  verb: string;
  intro?: ComponentChildren;
  danger?: boolean;
  /** False while the form cannot be sent (e.g. no interview to pick). */
  ready?: boolean;
  /** Record the step from the form's fields. */
  record: (form: FormData) => Promise<Outcome>;
  /** What to say once the server accepted it, and links that follow from it. */
  sent?: (outcome: Extract<Outcome, { kind: "sent" }>, form: FormData) => { message?: string; links?: NoticeLink[] };
  children: ComponentChildren;
}

/** One step's form: its heading takes focus when it opens, its problem is shown next to its fields. */
export function StepFrame(props: FrameProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const headingId = useId("step");

  useEffect(() => {
    heading.current?.focus();
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setProblem(null);
    let outcome: Outcome;
    try {
      outcome = await props.record(form);
    } catch {
      outcome = { kind: "problem", problem: { status: 0, title: "This step could not be recorded", detail: "Try again." } };
    }
    setBusy(false);
    if (outcome.kind === "problem") {
      setProblem(outcome.problem);
      return;
    }
    if (outcome.kind === "queued") {
      props.onDone({ kind: "queued", contact: null, message: QUEUED_MESSAGE, links: [] });
      return;
    }
    const said = props.sent?.(outcome, form) ?? {};
    props.onDone({
      kind: "sent",
      contact: outcome.contact,
      message: said.message ?? `${props.title}: done.`,
      links: said.links ?? [],
    });
  }

  return (
    <section class="ct-step" aria-labelledby={headingId}>
      <h3 id={headingId} ref={heading} tabIndex={-1}>
        {props.title}
      </h3>
      {props.intro}
      <form onSubmit={submit}>
        {props.children}
        <ProblemNote problem={problem} />
        {problem?.status === 412 ? (
          <div class="ct-conflict">
            <p>This contact changed elsewhere (another device or tab) since you opened it. Reload it, check, then record this step again.</p>
            <button
              type="button"
              class="secondary"
              onClick={() => {
                setProblem(null);
                props.reload();
              }}
            >
              Reload contact
            </button>
          </div>
        ) : null}
        <div class="row ct-actions">
          <button type="submit" class={props.danger ? "ct-danger" : undefined} disabled={busy || props.ready === false} aria-busy={busy}>
            {props.verb}
          </button>
          <button type="button" class="secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

const CHANNELS: [Channel, string][] = [
  ["email", "Email"],
  ["linkedin", "LinkedIn"],
  ["phone", "Phone"],
  ["in_person", "In person"],
  ["introduction", "Introduction"],
];

export function ChannelField({ value = "email", label = "Channel" }: { value?: Channel; label?: string }) {
  return (
    <label>
      {label}
      <select name="channel" defaultValue={value}>
        {CHANNELS.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}

export const FORMATS: [Format, string][] = [
  ["video", "Video call"],
  ["phone", "Phone call"],
  ["in_person", "In person"],
];

export function formatWords(format: Format): string {
  return FORMATS.find(([v]) => v === format)?.[1] ?? format;
}

/** One choice among a few, all in sight: `value` is chosen at first. */
export function RadioField<T extends string | number>(props: {
  legend: string;
  name: string;
  options: readonly (readonly [T, string])[];
  value: T;
  onChange?: (value: T) => void;
}) {
  const { onChange } = props;
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {props.options.map(([v, l]) => (
        <label key={v} class="check">
          <input
            type="radio"
            name={props.name}
            value={String(v)}
            defaultChecked={v === props.value}
            onChange={onChange ? () => onChange(v) : undefined}
          />
          {l}
        </label>
      ))}
    </fieldset>
  );
}

export function FormatField({ value, onChange }: { value: Format; onChange?: (f: Format) => void }) {
  return <RadioField legend="Format" name="format" options={FORMATS} value={value} onChange={onChange} />;
}

export function MinutesField({ value, min = 5, max = 480, required = true }: { value: number | ""; min?: number; max?: number; required?: boolean }) {
  return (
    <label>
      Minutes
      <input name="minutes" type="number" inputMode="numeric" min={min} max={max} step={1} defaultValue={String(value)} required={required} />
    </label>
  );
}

export function minutesOf(form: FormData): number | undefined {
  const value = Number(form.get("minutes"));
  return Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
}

type Draft = Schemas["Draft"];
type DraftKind = "request" | "follow-up" | "thanks";
type DraftQuery = { format?: Format; minutes?: number; helpfulThing?: string | null };

/** The drafted email: "Open email" (its mailto link) to send it, or the text to copy. */
export function DraftEmail({
  contactId,
  kind,
  query,
  onDraft,
}: {
  contactId: string;
  kind: DraftKind;
  query?: DraftQuery;
  onDraft?: (draft: Draft) => void;
}) {
  const key = JSON.stringify(query ?? {});
  const draft = useLoad(
    () => api.GET("/api/v1/contacts/{contact_id}/drafts/{kind}", { params: { path: { contact_id: contactId, kind }, query } }),
    [contactId, kind, key],
  );
  const [copied, setCopied] = useState(false);
  const d = draft.data;
  useEffect(() => {
    if (d) onDraft?.(d);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [d]);
  if (!d) {
    return draft.loading ? (
      <p class="muted" aria-busy="true">
        Drafting the email…
      </p>
    ) : (
      <p class="muted">The drafted email needs a connection; you can still record the step.</p>
    );
  }
  async function copy() {
    try {
      await navigator.clipboard.writeText(`${d!.subject}\n\n${d!.body}`);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }
  // With no address saved, the email app still opens with the drafted subject and text.
  const href = d.mailto ?? `mailto:?subject=${encodeURIComponent(d.subject)}&body=${encodeURIComponent(d.body)}`;
  return (
    <div class="ct-draft">
      <p class="row">
        <a class="button secondary" href={href}>
          Open email
        </a>
        <span class="muted">
          {d.mailto ? "Send it from your email app, then record it here." : "No address is saved for them: add it in your email app."}
        </span>
      </p>
      <details>
        <summary>Read the draft</summary>
        <p>
          <strong>Subject:</strong> {d.subject}
        </p>
        <p class="ct-draft-body">{d.body}</p>
        <button type="button" class="secondary" onClick={() => void copy()}>
          {copied ? "Copied" : "Copy the draft"}
        </button>
      </details>
    </div>
  );
}
