// One relationship: who they are, where it stands, the steps that can come next (and only those), and
// its timeline. Offline, steps wait on this phone; the screen shows them, and the steps they allow.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, type Contact, type Schemas, type Step } from "../api/client";
import { day, moment, words } from "../format";
import { outbox, type Entry } from "../outbox";
import { useLoad } from "../ui/data";
import { Layout } from "../ui/layout";
import { localDay } from "../ui/local";
import { Empty, ProblemNote } from "../ui/problem";
import { STEP_UI, calendarHref, isStep, type Done, type OpenItem, type StepContext, type Upcoming } from "./steps";
import { formatWords } from "./steps/common";
import "./contact.css";

type HistoryEntry = Schemas["HistoryEntry"];

/** The steps waiting on this phone for this contact, oldest first. */
function waitingFor(contactId: string): Entry[] {
  return outbox.value.filter((e) => e.contactId === contactId);
}

function field(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

/**
 * The contact as it will stand once the waiting steps are sent: which steps come next (the server's
 * `stepsAfter` for the latest waiting step that moves the relationship on), which interviews are
 * upcoming, which promises are open.
 */
function ahead(contact: Contact, waiting: Entry[]): StepContext & { steps: Step[] } {
  let steps = contact.nextSteps;
  const upcoming: Upcoming[] = contact.interviews
    .filter((i) => i.status === "scheduled")
    .map((i) => ({ id: i.id, startsAt: i.startsAt, minutes: i.minutes, format: i.format, place: i.place, queued: false }));
  let openItems: OpenItem[] = contact.actionItems
    .filter((a) => a.completedAt === null)
    .map((a) => ({ id: a.id, what: a.what, due: a.due, queued: false }));
  for (const entry of waiting) {
    const after = contact.stepsAfter[entry.step];
    if (after) steps = after;
    const id = field(entry.body, "interviewId");
    switch (entry.step) {
      case "schedule":
        if (id) {
          upcoming.push({
            id,
            startsAt: field(entry.body, "startsAt") ?? entry.recordedAt,
            minutes: Number(field(entry.body, "minutes") ?? 30),
            format: (field(entry.body, "format") ?? "video") as Upcoming["format"],
            place: field(entry.body, "place") ?? null,
            queued: true,
          });
        }
        break;
      case "held":
      case "cancel": {
        const at = upcoming.findIndex((i) => i.id === id);
        if (at >= 0) upcoming.splice(at, 1);
        break;
      }
      case "reschedule": {
        const found = upcoming.find((i) => i.id === id);
        if (found) found.startsAt = field(entry.body, "startsAt") ?? found.startsAt;
        break;
      }
      case "action_item": {
        const itemId = field(entry.body, "itemId");
        if (itemId) openItems.push({ id: itemId, what: field(entry.body, "what") ?? "", due: field(entry.body, "due") ?? "", queued: true });
        break;
      }
      case "complete_action_item":
        openItems = openItems.filter((i) => i.id !== field(entry.body, "itemId"));
        break;
    }
  }
  // What the student can record now: a promise needs one open, an interview step needs one upcoming.
  steps = steps.filter((s) => {
    if (s === "complete_action_item") return openItems.length > 0;
    if (s === "held" || s === "reschedule" || s === "cancel") return upcoming.length > 0;
    return true;
  });
  return { contact, upcoming, openItems, steps };
}

/** "InterviewHeld" → "Interview held". */
function typeWords(type: string): string {
  return words(type.replace(/(?<=[a-z])(?=[A-Z])/g, "_").toLowerCase());
}

type Fetched<T> = { data?: T; error?: unknown; response: Response };

/** Every page of the history (oldest first), as one list. */
async function wholeHistory(contactId: string): Promise<Fetched<HistoryEntry[]>> {
  const items: HistoryEntry[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const query: { limit: number; cursor?: string } = cursor ? { limit: 100, cursor } : { limit: 100 };
    const { data, error, response }: Fetched<Schemas["HistoryPage"]> = await api.GET(
      "/api/v1/contacts/{contact_id}/history",
      { params: { path: { contact_id: contactId }, query } },
    );
    if (!data) return { error, response };
    items.push(...data.items);
    cursor = data.nextCursor;
    if (!cursor) break;
  }
  return { data: items, response: new Response() };
}

const OCCURRED = ["heldAt", "sentAt", "answeredAt", "receivedAt", "completedAt", "addedAt"];

/** When it happened (a request sent last week, logged today), and who recorded it, and when if later. */
function When({ entry }: { entry: HistoryEntry }) {
  const key = OCCURRED.find((k) => typeof entry.data[k] === "string");
  const happened = key ? (entry.data[key] as string) : entry.recordedAt;
  const late = Math.abs(Date.parse(entry.recordedAt) - Date.parse(happened)) > 3_600_000;
  return (
    <p class="ct-event-when">
      <time dateTime={happened}>{moment(happened)}</time> · recorded by {entry.actor.label}
      {late ? (
        <>
          {" "}
          on <time dateTime={entry.recordedAt}>{moment(entry.recordedAt)}</time>
        </>
      ) : null}
    </p>
  );
}

function Timeline({ contactId, version, waiting }: { contactId: string; version: number; waiting: Entry[] }) {
  const history = useLoad(() => wholeHistory(contactId), [contactId, version]);
  const items = history.data ? [...history.data].reverse() : [];
  return (
    <section aria-labelledby="ct-timeline">
      <h2 id="ct-timeline">Timeline</h2>
      {history.loading && !history.data ? <p aria-busy="true">Loading the timeline…</p> : null}
      {history.problem && !history.data ? <ProblemNote problem={history.problem} /> : null}
      <ol class="ct-timeline">
        {[...waiting].reverse().map((e) => (
          <li key={`q${e.id}`} class="ct-event ct-waiting">
            <p class="ct-event-what">
              <strong>{e.state === "pending" ? "Waiting to be sent" : "Not sent: needs you (see above)"}</strong>{" "}
              <span>{e.label}</span>
            </p>
            <p class="ct-event-when">
              <time dateTime={e.recordedAt}>{moment(e.recordedAt)}</time> · on this phone
            </p>
          </li>
        ))}
        {items.map((h) => (
          <li key={h.version} class="ct-event">
            <p class="ct-event-what">
              <strong>{typeWords(h.type)}</strong> <span>{h.summary}</span>
            </p>
            <When entry={h} />
          </li>
        ))}
      </ol>
      {history.data && items.length === 0 && waiting.length === 0 ? <p class="muted">Nothing recorded yet.</p> : null}
    </section>
  );
}

function Person({ person }: { person: Schemas["PersonRef"] }) {
  return person.erased ? (
    <span>someone whose data was erased</span>
  ) : (
    <Link href={`/contacts/${person.id}`} class="ct-person">
      {person.name}
    </Link>
  );
}

const HOW_FOUND: Partial<Record<Contact["howFound"], string>> = {
  linkedin: "LinkedIn",
  friend_family: "Friends or family",
  career_office: "Career office",
  cold: "Cold outreach",
};

function Summary({ contact, waiting }: { contact: Contact; waiting: number }) {
  const role = [contact.title, contact.organization].filter(Boolean).join(" · ");
  return (
    <div class="ct-summary card">
      {role ? <p class="ct-role">{role}</p> : null}
      {contact.careerField ? <p class="ct-field">Career field: {contact.careerField}</p> : null}
      <p class="ct-chips">
        <span class="chip">Stage: {words(contact.stage)}</span>
        {contact.referrer ? <span class="chip">Referrer</span> : null}
        {contact.archived ? <span class="chip">Archived</span> : null}
      </p>
      {contact.nextAction ? (
        <p>
          <strong>Next:</strong> {contact.nextAction}
          {contact.nextDue ? <small> Due {day(contact.nextDue)}.</small> : null}
        </p>
      ) : null}
      {waiting ? (
        <p class="ct-stale">
          {waiting === 1 ? "1 step is" : `${waiting} steps are`} waiting on this phone: the stage and what is next are as
          they were before {waiting === 1 ? "it" : "them"}.
        </p>
      ) : null}
    </div>
  );
}

/** One line of the details: what it is, and its value. */
function Fact({ term, children }: { term: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** A way to reach them, when it is known: a link that opens the email or phone app. */
function Reach({ term, scheme, value }: { term: string; scheme: "mailto" | "tel"; value: string | null | undefined }) {
  if (!value) return null;
  return (
    <Fact term={term}>
      <a class="ct-person" href={`${scheme}:${value}`}>
        {value}
      </a>
    </Fact>
  );
}

function About({ contact }: { contact: Contact }) {
  return (
    <section aria-labelledby="ct-about">
      <h2 id="ct-about">Details</h2>
      <dl class="ct-facts">
        {contact.referredBy ? (
          <Fact term="Referred by">
            <Person person={contact.referredBy} />
          </Fact>
        ) : (
          <Fact term="Found via">{HOW_FOUND[contact.howFound] ?? words(contact.howFound)}</Fact>
        )}
        <Reach term="Email" scheme="mailto" value={contact.email} />
        <Reach term="Phone" scheme="tel" value={contact.phone} />
        {contact.linkedinUrl ? (
          <Fact term="LinkedIn">
            <a class="ct-person" href={contact.linkedinUrl} rel="noopener noreferrer" target="_blank">
              Profile (opens a new tab)
            </a>
          </Fact>
        ) : null}
        {contact.tags.length ? <Fact term="Tags">{contact.tags.join(", ")}</Fact> : null}
        <Fact term="Added">{moment(contact.addedAt)}</Fact>
      </dl>
      {contact.notes ? <p class="ct-notes">{contact.notes}</p> : null}
    </section>
  );
}

function interviewStatus(i: Schemas["InterviewView"]): string {
  if (i.status === "cancelled") return "Cancelled";
  if (i.status === "scheduled") return "Scheduled";
  const held = i.heldAt ? `Held ${moment(i.heldAt)}` : "Held";
  if (i.thankedAt) return `${held}; thanked ${moment(i.thankedAt)}${i.thankedOnTime === false ? " (late)" : ""}`;
  return `${held}; no thank-you yet`;
}

const WAITING_AS: Record<string, string> = { held: "held", cancel: "cancelled", reschedule: "rescheduled" };

function Interviews({ contact, upcoming, waiting }: { contact: Contact; upcoming: Upcoming[]; waiting: Entry[] }) {
  const pending = new Map(
    waiting.filter((e) => WAITING_AS[e.step]).map((e) => [field(e.body, "interviewId"), WAITING_AS[e.step]!] as const),
  );
  const queued = upcoming.filter((u) => u.queued);
  if (contact.interviews.length === 0 && queued.length === 0 && !contact.request) return null;
  const r = contact.request;
  return (
    <section aria-labelledby="ct-interviews">
      <h2 id="ct-interviews">Request and interviews</h2>
      {r ? (
        <p>
          Requested {moment(r.requestedAt)}
          {r.format ? ` (${formatWords(r.format).toLowerCase()}${r.minutes ? `, ${r.minutes} min` : ""})` : ""}.
          {r.followedUpAt ? ` Followed up ${moment(r.followedUpAt)}.` : ""}
          {r.answer ? ` They ${r.answer}${r.answeredAt ? ` ${moment(r.answeredAt)}` : ""}.` : " No answer yet."}
        </p>
      ) : null}
      <ul class="list">
        {queued.map((u) => (
          <li key={u.id} class="card card-body ct-waiting">
            <strong>{moment(u.startsAt)}</strong> · {formatWords(u.format)} · {u.minutes} min
            <br />
            <small>Waiting to be sent</small>
          </li>
        ))}
        {[...contact.interviews].reverse().map((i) => (
          <li key={i.id} class="card card-body">
            <strong>{moment(i.startsAt)}</strong> · {formatWords(i.format)} · {i.minutes} min
            {i.place ? <> · {i.place}</> : null}
            <br />
            <small>
              {interviewStatus(i)}
              {pending.has(i.id) ? `; recorded as ${pending.get(i.id)} on this phone, waiting to be sent` : ""}
            </small>
            {i.status === "scheduled" && !pending.has(i.id) ? (
              <p class="ct-links">
                <a class="button secondary" href={calendarHref(i.id)} download>
                  Calendar file (.ics)
                </a>
              </p>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Promises({ contact, openItems }: { contact: Contact; openItems: OpenItem[] }) {
  const done = contact.actionItems.filter((a) => a.completedAt !== null).length;
  if (openItems.length === 0 && done === 0) return null;
  const today = localDay(new Date());
  return (
    <section aria-labelledby="ct-items">
      <h2 id="ct-items">Open action items</h2>
      {openItems.length === 0 ? <p class="muted">None open.</p> : null}
      <ul class="list">
        {openItems.map((a) => (
          <li key={a.id} id={`action-item-${a.id}`} class="card card-body">
            {a.what}
            <br />
            <small>
              {a.queued ? "Waiting to be sent · " : ""}
              {a.due ? (a.due < today ? `Overdue: was due ${day(a.due)}` : `Due ${day(a.due)}`) : ""}
            </small>
          </li>
        ))}
      </ul>
      {done ? <p class="muted">{done} kept already.</p> : null}
    </section>
  );
}

function Referrals({ contact }: { contact: Contact }) {
  if (contact.referrals.length === 0) return null;
  return (
    <section aria-labelledby="ct-referrals">
      <h2 id="ct-referrals">Referred you to</h2>
      <ul class="ct-people">
        {contact.referrals.map((p) => (
          <li key={p.id}>
            <Person person={p} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function Notice({ done, waitingNow }: { done: Done | null; waitingNow: boolean }) {
  // A "saved on this phone" notice goes once nothing is waiting any more: the timeline has it then.
  const shown = done && (done.kind === "sent" || waitingNow) ? done : null;
  return (
    <div role="status" class={shown ? "ct-notice" : undefined}>
      {shown ? (
        <>
          <p>{shown.message}</p>
          {shown.links.length ? (
            <p class="row ct-links">
              {shown.links.map((l) =>
                l.internal ? (
                  <Link key={l.href} class="button secondary" href={l.href}>
                    {l.text}
                  </Link>
                ) : (
                  <a key={l.href} class="button secondary" href={l.href} download={l.download || undefined}>
                    {l.text}
                  </a>
                ),
              )}
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

/** The steps that answer an item of the agenda come first. */
const AGENDA_STEP: Record<string, Step> = {
  follow_up: "follow_up",
  send_thanks: "thanks",
  log_referral: "referral",
  contact_referral: "request",
  action_item: "complete_action_item",
  keep_in_touch: "keep_in_touch",
};
const ORDER: Step[] = ["answer", "follow_up", "held", "thanks", "referral", "request", "schedule", "complete_action_item", "keep_in_touch", "reflection", "restore"];

function rank(steps: Step[], agenda: Contact["agenda"]): Step[] {
  const due = agenda.map((a) => AGENDA_STEP[a.kind]).filter((s): s is Step => s !== undefined);
  const score = (s: Step) => (due.includes(s) ? due.indexOf(s) - 100 : ORDER.indexOf(s));
  return [...steps].sort((a, b) => score(a) - score(b));
}

function NextSteps({ steps, agenda, open }: { steps: Step[]; agenda: Contact["agenda"]; open: (step: Step) => void }) {
  const main = rank(steps.filter((s) => STEP_UI[s].kind === "main"), agenda);
  const more = steps.filter((s) => STEP_UI[s].kind !== "main" && s !== "edit");
  return (
    <>
      {main.length ? (
        <div class="ct-main-steps">
          {main.map((s) => (
            <button key={s} type="button" onClick={() => open(s)}>
              {STEP_UI[s].button}
            </button>
          ))}
        </div>
      ) : null}
      {more.length || steps.includes("edit") ? (
        <div class="row ct-more-steps">
          {more.map((s) => (
            <button key={s} type="button" class={STEP_UI[s].kind === "danger" ? "danger" : "secondary"} onClick={() => open(s)}>
              {STEP_UI[s].button}
            </button>
          ))}
          {steps.includes("edit") ? (
            <button type="button" class="secondary ct-edit" onClick={() => open("edit")}>
              Edit details
            </button>
          ) : null}
        </div>
      ) : null}
    </>
  );
}

export function ContactScreen({ id, step, target = null }: { id: string; step: string | null; target?: string | null }) {
  const loaded = useLoad(() => api.GET("/api/v1/contacts/{contact_id}", { params: { path: { contact_id: id } } }), [id]);
  // The contact a step answered with is newer than the one loaded before it.
  const [latest, setLatest] = useState<Contact | null>(null);
  const [open, setOpen] = useState<Step | null>(isStep(step) ? step : null);
  const [done, setDone] = useState<Done | null>(null);
  const stepsHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    setOpen(isStep(step) ? step : null);
    setDone(null);
  }, [id, step]);
  useEffect(() => setLatest(null), [id, loaded.data]);

  const fromServer = loaded.data && loaded.data.id === id ? loaded.data : undefined;
  const contact = latest && latest.id === id && (!fromServer || latest.version >= fromServer.version) ? latest : fromServer;

  if (!contact) {
    const notFound = loaded.problem?.status === 404 || loaded.problem?.status === 422 || loaded.problem?.status === 400;
    return (
      <Layout title="Contact">
        {loaded.loading ? <p aria-busy="true">Loading the contact…</p> : null}
        {!loaded.loading && notFound ? (
          <Empty title="No such contact.">
            <p>It may have been removed, or the link is wrong.</p>
            <Link class="button" href="/contacts">
              Back to contacts
            </Link>
          </Empty>
        ) : null}
        {!loaded.loading && loaded.problem && !notFound ? (
          <>
            <ProblemNote problem={loaded.problem} />
            <p class="row ct-links">
              <button type="button" class="secondary" onClick={loaded.reload}>
                Try again
              </button>
              <Link class="button secondary" href="/contacts">
                Back to contacts
              </Link>
            </p>
          </>
        ) : null}
      </Layout>
    );
  }

  const waiting = waitingFor(contact.id);
  const ctx = ahead(contact, waiting);
  const available = ctx.steps;
  const shown = open && available.includes(open) ? open : null;
  const Form = shown ? STEP_UI[shown].form : null;
  const unavailable = open && !shown && open === step ? STEP_UI[open].button : null;

  function close(focus = true) {
    setOpen(null);
    if (focus) requestAnimationFrame(() => stepsHeading.current?.focus());
  }

  function finished(result: Done) {
    if (result.contact) setLatest(result.contact);
    else if (result.kind === "sent") loaded.reload();
    setDone(result);
    close();
  }

  return (
    <Layout title={contact.erased ? "Erased contact" : contact.name}>
      <div class="ct">
        {loaded.problem && loaded.data ? <ProblemNote problem={loaded.problem} /> : null}
        <Summary contact={contact} waiting={waiting.length} />
        {contact.erased ? (
          <p class="ct-warning">This person's personal data was erased. The dates, stages and counts remain.</p>
        ) : null}
        <section aria-labelledby="ct-next" class="ct-next">
          <h2 id="ct-next" ref={stepsHeading} tabIndex={-1}>
            {Form ? "Record a step" : "Next steps"}
          </h2>
          <Notice done={done} waitingNow={waiting.length > 0} />
          {unavailable ? (
            <p class="muted">“{unavailable}” is not a step this contact allows right now; the ones it allows are below.</p>
          ) : null}
          {Form ? (
            <Form
              key={shown}
              ctx={ctx}
              target={shown === step ? target : null}
              onDone={finished}
              onCancel={() => close()}
              reload={loaded.reload}
            />
          ) : available.length ? (
            <NextSteps
              steps={available}
              agenda={waiting.length ? [] : contact.agenda}
              open={(s) => {
                setDone(null);
                setOpen(s);
              }}
            />
          ) : (
            <p class="muted">Nothing more can be recorded for this contact.</p>
          )}
        </section>
        <About contact={contact} />
        <Interviews contact={contact} upcoming={ctx.upcoming} waiting={waiting} />
        <Promises contact={contact} openItems={ctx.openItems} />
        <Referrals contact={contact} />
        <Timeline contactId={contact.id} version={contact.version} waiting={waiting} />
      </div>
    </Layout>
  );
}
