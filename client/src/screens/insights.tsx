// The student's numbers, activity week by week, and what different people said about the same career.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, type Schemas } from "../api/client";
import { Figure, WeeklyChart, plural } from "../ui/charts";
import { useLoad } from "../ui/data";
import { Layout } from "../ui/layout";
import { Empty, ProblemNote } from "../ui/problem";
import { STAGE_LABEL } from "./contacts";
import "./screens.css";

type Stats = Schemas["Stats"];
type FieldNotes = Schemas["FieldNotes"];
type FieldNote = Schemas["FieldNote"];

const percent = (rate: number | null) => (rate === null ? "–" : `${Math.round(rate * 100)}%`);

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
          {s.activityPerWeek.length ? <WeeklyChart id="activity" weeks={s.activityPerWeek} what="Activity per week" /> : null}
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
