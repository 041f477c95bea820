// The student's numbers, activity week by week, and what different people said about the same career.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, type Schemas } from "../api/client";
import { day } from "../format";
import { useLoad } from "../ui/data";
import { Layout } from "../ui/layout";
import { Empty, ProblemNote } from "../ui/problem";
import { STAGE_LABEL } from "./contacts";
import "./screens.css";

type Stats = Schemas["Stats"];
type Week = Schemas["WeekActivity"];
type FieldNotes = Schemas["FieldNotes"];
type FieldNote = Schemas["FieldNote"];

const percent = (rate: number | null) => (rate === null ? "–" : `${Math.round(rate * 100)}%`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function shortDay(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y!, m! - 1, d!).toLocaleDateString(undefined, { month: "short", day: "numeric" });
}

function Figure({ label, value, note }: { label: string; value: string; note?: string | undefined }) {
  // <dt> comes first for screen readers; CSS shows the number above its label and note.
  return (
    <div class="figure">
      <dt>{label}</dt>
      <dd class="value">
        {value === "–" ? (
          <>
            <span aria-hidden="true">–</span>
            <span class="vh">none yet</span>
          </>
        ) : (
          value
        )}
      </dd>
      {note ? <dd class="note">{note}</dd> : null}
    </div>
  );
}

function Figures({ s }: { s: Stats }) {
  return (
    <dl class="figures">
      <Figure label="Requests sent" value={String(s.requestsSent)} />
      <Figure label="Reply rate" value={percent(s.replyRate)} note={s.requestsSent ? `${plural(s.replies, "reply", "replies")}` : undefined} />
      <Figure label="Interviews held" value={String(s.interviewsHeld)} />
      <Figure label="Thank-yous on time" value={percent(s.thankYouOnTimeRate)} note="within 2 business days" />
      <Figure
        label="Median days to thanks"
        value={s.medianDaysToThanks === null ? "–" : s.medianDaysToThanks.toLocaleString(undefined, { maximumFractionDigits: 1 })}
        note="from interview to thank-you"
      />
      <Figure label="Referrals received" value={String(s.referralsReceived)} note={s.referrers ? `from ${plural(s.referrers, "person", "people")}` : undefined} />
      <Figure label="Network depth" value={String(s.networkDepth)} note="longest referral chain" />
      <Figure
        label="Days since last activity"
        value={s.daysSinceLastActivity === null ? "–" : String(s.daysSinceLastActivity)}
      />
    </dl>
  );
}

/** A small bar chart drawn by hand; its text alternative is the summary and a table of the numbers. */
function ActivityChart({ weeks }: { weeks: Week[] }) {
  if (weeks.length === 0) return null;
  const max = Math.max(1, ...weeks.map((w) => w.events));
  const total = weeks.reduce((n, w) => n + w.events, 0);
  const peak = weeks.reduce((a, b) => (b.events > a.events ? b : a));
  const last = weeks[weeks.length - 1]!;
  const W = 320;
  const H = 130;
  const top = 16;
  const bottom = 20;
  const gap = 4;
  const bar = (W - gap * (weeks.length - 1)) / weeks.length;
  const height = (n: number) => ((H - top - bottom) * n) / max;
  const summary =
    `Activity per week, ${plural(weeks.length, "week")} from ${shortDay(weeks[0]!.week)} to ${shortDay(last.week)}: ` +
    `${plural(total, "step")} in all, most in the week of ${shortDay(peak.week)} (${peak.events}), ` +
    `${last.events} this week.`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="activity-summary">
        <line class="axis" x1="0" x2={W} y1={H - bottom + 0.5} y2={H - bottom + 0.5} />
        {weeks.map((w, i) => {
          const h = height(w.events);
          const x = i * (bar + gap);
          return (
            <g key={w.week}>
              <rect x={x} y={H - bottom - h} width={bar} height={Math.max(h, w.events ? 1 : 0)} rx="2" fill="currentColor" />
              {w === peak && w.events > 0 ? (
                <text x={x + bar / 2} y={H - bottom - h - 4} text-anchor="middle" class="peak">
                  {w.events}
                </text>
              ) : null}
            </g>
          );
        })}
        <text x="0" y={H - 5}>
          {shortDay(weeks[0]!.week)}
        </text>
        <text x={W} y={H - 5} text-anchor="end">
          {shortDay(last.week)}
        </text>
      </svg>
      <figcaption class="muted" id="activity-summary">
        {summary}
      </figcaption>
      <details>
        <summary>Show the numbers</summary>
        <table>
          <caption class="vh">Steps recorded per week</caption>
          <thead>
            <tr>
              <th scope="col">Week of</th>
              <th scope="col">Steps</th>
            </tr>
          </thead>
          <tbody>
            {weeks.map((w) => (
              <tr key={w.week}>
                <td>{day(w.week)}</td>
                <td>{w.events}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

function Counts({ rows }: { rows: { key: string; label: string; n: number }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.n));
  return (
    <ul class="bars">
      {rows.map((r) => (
        <li key={r.key}>
          <span>{r.label}</span>
          <strong>{r.n}</strong>
          <span class="bar" aria-hidden="true">
            <span style={{ width: `${(100 * r.n) / max}%` }} />
          </span>
        </li>
      ))}
    </ul>
  );
}

const FIT: Record<number, string> = {
  [-2]: "Not for me",
  [-1]: "Probably not for me",
  0: "Not sure yet",
  1: "Could be for me",
  2: "I could see myself doing this",
};

function Fit({ value }: { value: number }) {
  const signed = value > 0 ? `+${value}` : String(value);
  return (
    <p class="fit">
      <span class="fit-scale" aria-hidden="true">
        {[-2, -1, 0, 1, 2].map((n) => (
          <i key={n} class={n <= value ? "on" : ""} />
        ))}
      </span>
      <span>
        Fit {signed}: {FIT[value] ?? ""}
      </span>
    </p>
  );
}

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v : null);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && !!x.trim()) : []);

function Said({ note }: { note: FieldNote }) {
  const b = note.body;
  const when = new Date(note.at).toLocaleDateString(undefined, { dateStyle: "medium" });
  if (b["erased"] === true) {
    return (
      <div class="said">
        <p class="said-when">{when}</p>
        <p class="muted">This person's details were erased.</p>
      </div>
    );
  }
  if (note.kind === "interview") {
    const takeaways = text(b["keyTakeaways"]);
    const advice = text(b["advice"]);
    const notes = text(b["notes"]);
    const resources = list(b["resources"]);
    return (
      <div class="said">
        <p class="said-when">Interview, {when}</p>
        {typeof b["fitSignal"] === "number" ? <Fit value={b["fitSignal"]} /> : null}
        {takeaways ? (
          <>
            <h4>Takeaways</h4>
            <p>{takeaways}</p>
          </>
        ) : null}
        {advice ? (
          <>
            <h4>Advice</h4>
            <p>{advice}</p>
          </>
        ) : null}
        {resources.length ? (
          <>
            <h4>Resources</h4>
            <ul>
              {resources.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </>
        ) : null}
        {notes ? (
          <details>
            <summary>Interview notes</summary>
            <p>{notes}</p>
          </details>
        ) : null}
      </div>
    );
  }
  if (note.kind === "reflection") {
    const learned = text(b["learned"]);
    const next = text(b["nextSteps"]);
    return (
      <div class="said">
        <p class="said-when">Your reflection, {when}</p>
        {learned ? (
          <>
            <h4>What you learned</h4>
            <p>{learned}</p>
          </>
        ) : null}
        {next ? (
          <>
            <h4>Next steps</h4>
            <p>{next}</p>
          </>
        ) : null}
      </div>
    );
  }
  return (
    <div class="said">
      <p class="said-when">Note, {when}</p>
      <p>{text(b["text"]) ?? ""}</p>
    </div>
  );
}

/** One card per person: what they said (and what you made of it), newest first. */
function People({ field }: { field: FieldNotes }) {
  const byPerson = new Map<string, { name: string; notes: FieldNote[] }>();
  for (const n of field.notes) {
    const person = byPerson.get(n.contactId) ?? { name: n.contactName, notes: [] };
    person.notes.push(n);
    byPerson.set(n.contactId, person);
  }
  // Within a person: what they said first (interviews, notes), then what you made of it.
  const order = { interview: 0, note: 1, reflection: 2 } as const;
  const people = [...byPerson.entries()].map(([id, p]) => [id, { ...p, notes: [...p.notes].sort((a, b) => order[a.kind] - order[b.kind]) }] as const);
  const name = field.careerField ?? "No career field";
  return (
    <>
      <p class="muted">
        {plural(field.contacts, "person", "people")}, {plural(field.totalNotes, "note")}
        {field.totalNotes > field.notes.length ? ` (the newest ${field.notes.length} shown)` : ""}.
      </p>
      {people.length > 1 ? (
        <p class="muted swipe-hint" aria-hidden="true">
          Swipe sideways to compare →
        </p>
      ) : null}
      <div
        class={people.length > 1 ? "people" : "people single"}
        role="region"
        aria-label={`What people in ${name} said`}
        tabIndex={0}
      >
        {people.map(([id, p]) => (
          <article key={id} class="card person" aria-labelledby={`p-${id}`}>
            <h3 id={`p-${id}`}>
              <Link href={`/contacts/${id}`}>{p.name}</Link>
            </h3>
            {p.notes.map((n, i) => (
              <Said key={`${n.at}-${i}`} note={n} />
            ))}
          </article>
        ))}
      </div>
    </>
  );
}

const NO_FIELD = "\u0000none";

function NotesByField() {
  const notes = useLoad(() => api.GET("/api/v1/notes", { params: { query: { perField: 100 } } }), []);
  const [picked, setPicked] = useState<string | null>(null);
  const fields = notes.data?.fields ?? [];
  const keyOf = (f: FieldNotes) => f.fieldKey ?? NO_FIELD;
  const current = fields.find((f) => keyOf(f) === picked) ?? fields[0];
  return (
    <section aria-labelledby="h-notes">
      <h2 id="h-notes">Notes compared by field</h2>
      <ProblemNote problem={notes.problem} />
      {notes.loading && !notes.data ? <p aria-busy="true">Loading…</p> : null}
      {notes.data && fields.length === 0 ? (
        <Empty title="No notes yet.">
          <p>After each conversation, record what they said: takeaways, advice, and whether you could see yourself doing it. Here you'll compare people in the same career side by side.</p>
        </Empty>
      ) : null}
      {current ? (
        <>
          <div class="notes-pick">
            <label>
              Career field
              <select value={keyOf(current)} onChange={(e) => setPicked(e.currentTarget.value)}>
                {fields.map((f) => (
                  <option key={keyOf(f)} value={keyOf(f)}>
                    {f.careerField ?? "No career field"} ({plural(f.contacts, "person", "people")})
                  </option>
                ))}
              </select>
            </label>
          </div>
          <People key={keyOf(current)} field={current} />
        </>
      ) : null}
    </section>
  );
}

export function Insights() {
  const stats = useLoad(() => api.GET("/api/v1/stats"), []);
  const s = stats.data;
  const contacts = s ? s.stageCounts.reduce((n, c) => n + c.contacts, 0) : 0;
  // A new student: nobody in the network yet, so nothing to count.
  const fresh = s && contacts === 0 && s.requestsSent === 0;
  return (
    <Layout title="Insights">
      <ProblemNote problem={stats.problem} />
      {stats.loading && !s ? <p aria-busy="true">Loading…</p> : null}
      {s ? (
        <section aria-labelledby="h-numbers">
          <h2 id="h-numbers">Your numbers</h2>
          {fresh ? (
            <Empty title="No numbers yet.">
              <p>Add someone whose job interests you and ask them for a conversation: requests, replies, interviews and thank-yous will be counted here.</p>
              <Link class="button" href="/add">
                Add a contact
              </Link>
            </Empty>
          ) : (
            <Figures s={s} />
          )}
        </section>
      ) : null}
      {s && !fresh ? (
        <section aria-labelledby="h-activity">
          <h2 id="h-activity">Activity per week</h2>
          <ActivityChart weeks={s.activityPerWeek} />
        </section>
      ) : null}
      {s && contacts > 0 ? (
        <section aria-labelledby="h-network">
          <h2 id="h-network">Your network</h2>
          {s.contactsPerField.length ? (
            <>
              <h3 class="sub">Contacts per career field</h3>
              <Counts
                rows={s.contactsPerField.map((f) => ({ key: f.careerField ?? "", label: f.careerField ?? "No career field", n: f.contacts }))}
              />
            </>
          ) : null}
          <h3 class="sub">Contacts by stage</h3>
          <Counts
            rows={s.stageCounts
              .filter((c) => c.contacts > 0)
              .map((c) => ({ key: c.stage, label: STAGE_LABEL[c.stage], n: c.contacts }))}
          />
        </section>
      ) : null}
      <NotesByField />
    </Layout>
  );
}
