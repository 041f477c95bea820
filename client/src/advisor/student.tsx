// One student's page, within the scope the student granted: counts, stages and dates for any grant;
// with `notes`, also who the overdue items are about, the contacts and their history. A field the
// grant doesn't cover (FORBIDDEN_SCOPE) came back null and is never shown.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { forbidden, query, type StudentNotesQuery, type StudentSummaryQuery } from "../api/gql";
import type { Problem } from "../api/client";
import { day, moment, words } from "../format";
import { useLoad } from "../ui/data";
import { Section } from "../ui/layout";
import { Empty, ProblemNote } from "../ui/problem";
import { AdvisorLayout } from "./layout";
import { Figure, WeeklyChart, plural } from "../ui/charts";
import { FunnelChart } from "./charts";
import { SCOPE_LABEL } from "./scope";

type Summary = NonNullable<StudentSummaryQuery["student"]>;
type Notes = NonNullable<StudentNotesQuery["student"]>;
type NotesContacts = NonNullable<Notes["contacts"]>;
type NotesContact = NotesContacts["nodes"][number];

const CONTACTS = 20;
const percent = (rate: number | null) => (rate === null ? "–" : `${Math.round(rate * 100)}%`);

function Stats({ s }: { s: Summary["stats"] }) {
  return (
    <dl class="figures">
      <Figure label="Requests sent" value={String(s.requestsSent)} />
      <Figure label="Reply rate" value={percent(s.replyRate)} note={s.requestsSent ? plural(s.replies, "reply", "replies") : undefined} />
      <Figure label="Interviews held" value={String(s.interviewsHeld)} />
      <Figure label="Thank-yous on time" value={percent(s.thankYouOnTimeRate)} note="within 2 business days" />
      <Figure
        label="Median days to thanks"
        value={s.medianDaysToThanks === null ? "–" : s.medianDaysToThanks.toLocaleString(undefined, { maximumFractionDigits: 1 })}
      />
      <Figure label="Referrals received" value={String(s.referralsReceived)} note={s.referrers ? `from ${plural(s.referrers, "person", "people")}` : undefined} />
      <Figure label="Network depth" value={String(s.networkDepth)} note="longest referral chain" />
      <Figure label="Days since last activity" value={s.daysSinceLastActivity === null ? "–" : String(s.daysSinceLastActivity)} />
    </dl>
  );
}

function Overdue({ items, notes }: { items: Summary["overdue"]; notes: Notes | undefined }) {
  if (items.length === 0) return <p class="muted">Nothing overdue.</p>;
  const named = new Map(notes?.overdue.map((o, i) => [`${o.contactId}-${i}`, o]) ?? []);
  return (
    <ul class="list" aria-label="Overdue items">
      {items.map((item, i) => {
        const more = named.get(`${item.contactId}-${i}`);
        return (
          <li key={`${item.contactId}-${item.kind}-${i}`} class="card card-body attention">
            <strong>{more?.contactName ?? words(item.kind)}</strong>{" "}
            <small>was due {day(item.due)}</small>
            {more?.reason ? <p class="muted">{more.reason}</p> : more?.contactName ? <p class="muted">{words(item.kind)}</p> : null}
          </li>
        );
      })}
    </ul>
  );
}

type Graph = Summary["referralGraph"];
type Named = NonNullable<Notes["referralGraph"]>["nodes"][number];

/** Who referred whom, as nested lists from each chain's start; names only under a `notes` grant. */
function Chains({ graph, named }: { graph: Graph; named: Named[] | undefined }) {
  if (graph.nodes.length === 0) return <p class="muted">No referrals yet.</p>;
  const names = new Map(named?.map((n) => [n.id, n]) ?? []);
  const stages = new Map(graph.nodes.map((n) => [n.id, n.stage]));
  const next = new Map<string, string[]>();
  for (const e of graph.edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const referred = new Set(graph.edges.map((e) => e.to));
  function label(id: string) {
    const who = names.get(id);
    const where = who?.organization ? `, ${who.organization}` : "";
    return (
      <>
        {who?.name ? <strong>{who.name}</strong> : "Someone"}
        {where} <small class={`chip stage stage-${stages.get(id)}`}>{words(stages.get(id) ?? "")}</small>
      </>
    );
  }
  function chain(id: string, seen: Set<string>) {
    const after = (next.get(id) ?? []).filter((to) => !seen.has(to));
    return (
      <li key={id}>
        {label(id)}
        {after.length ? <ul>{after.map((to) => chain(to, new Set([...seen, to])))}</ul> : null}
      </li>
    );
  }
  return (
    <>
      <p class="muted">Longest chain: {plural(graph.depth, "introduction")}.</p>
      <ul class="chains" aria-label="Referral chains">
        {graph.nodes.filter((n) => !referred.has(n.id)).map((n) => chain(n.id, new Set([n.id])))}
      </ul>
    </>
  );
}

function ContactCard({ c }: { c: NotesContact }) {
  const where = [c.title, c.organization].filter(Boolean).join(", ");
  const history = c.history?.nodes ?? [];
  return (
    <li class="card contact-card">
      <h3>{c.name ?? "Someone"}</h3>
      {where ? <p class="muted">{where}</p> : null}
      <p>
        <span class={`chip stage stage-${c.stage}`}>{words(c.stage)}</span>
        {c.careerField ? <small> · {c.careerField}</small> : null}
      </p>
      {c.nextAction ? (
        <p>
          Next: {c.nextAction}
          {c.nextDue ? <small> (due {day(c.nextDue)})</small> : null}
        </p>
      ) : null}
      {history.length ? (
        <details>
          <summary>History ({history.length})</summary>
          <ol class="history">
            {history.map((h) => (
              <li key={h.version}>
                <span>{h.summary}</span>
                <small>
                  {moment(h.recordedAt)} · by {h.actor.label}
                </small>
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </li>
  );
}

/** The contacts and their history: asked for only under a `notes` grant. */
function useNotes(id: string, scope: string | undefined) {
  const wanted = scope === "notes" || scope === "owner";
  return useLoad(
    async () =>
      wanted
        ? query("StudentNotes", { id, first: CONTACTS, after: null })
        : { data: undefined, error: undefined, response: new Response(null, { status: 204 }) },
    [id, wanted],
  );
}

function Contacts({ id, first }: { id: string; first: NotesContacts }) {
  const [pages, setPages] = useState<NotesContacts[]>([first]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const last = pages[pages.length - 1]!;
  const contacts = pages.flatMap((p) => p.nodes);
  async function more() {
    setBusy(true);
    try {
      const { data, error } = await query("StudentNotes", { id, first: CONTACTS, after: last.pageInfo.endCursor });
      const page = data?.data.student?.contacts;
      if (page) setPages((p) => [...p, page]);
      else setProblem(error ?? null);
    } catch {
      setProblem({ status: 0, title: "No connection", detail: "Check your connection and try again." });
    } finally {
      setBusy(false);
    }
  }
  if (contacts.length === 0) return <p class="muted">No contacts yet.</p>;
  return (
    <>
      <ul class="list" aria-label="Contacts">
        {contacts.map((c) => (
          <ContactCard key={c.id} c={c} />
        ))}
      </ul>
      <ProblemNote problem={problem} />
      {last.pageInfo.hasNextPage ? (
        <div class="more">
          <button type="button" class="secondary" disabled={busy} onClick={() => void more()}>
            {busy ? "Loading…" : "Show more contacts"}
          </button>
        </div>
      ) : null}
    </>
  );
}

export function StudentPage({ id }: { id: string }) {
  const loaded = useLoad(() => query("StudentSummary", { id }), [id]);
  const s = loaded.data?.data.student ?? undefined;
  const notes = useNotes(id, s?.scope);
  const n = notes.data?.data.student ?? undefined;
  // Fields refused for the grant's scope: said once, never shown.
  const refused = forbidden([...(loaded.data?.errors ?? []), ...(notes.data?.errors ?? [])]);
  const name = s?.profile.displayName ?? "Student";
  return (
    <AdvisorLayout title={name}>
      <p>
        <Link href="/" class="back">← Dashboard</Link>
      </p>
      <ProblemNote problem={loaded.problem} />
      {loaded.loading && !loaded.data ? <p aria-busy="true">Loading…</p> : null}
      {loaded.data && !s ? (
        <Empty title="This student's data isn't shared with you.">
          <p>They may have revoked your access. Students can grant it again in their Settings.</p>
        </Empty>
      ) : null}
      {s ? (
        <div class="advisor-grid">
          <section aria-labelledby="h-profile" class="wide">
            <h2 id="h-profile">Profile</h2>
            <p class="scope-note">
              {s.scope === "notes"
                ? `${name} shares names, notes and history with you.`
                : `${name} shares counts only: numbers, stages and dates, never the names of the people they talk to or their notes.`}{" "}
              <span class="chip">{SCOPE_LABEL[s.scope] ?? s.scope}</span>
            </p>
            <ul class="muted">
              {s.profile.school ? <li>{s.profile.school}</li> : null}
              {n?.profile.interests?.length ? <li>Exploring: {n.profile.interests.join(", ")}</li> : null}
              <li>
                Goals: {plural(s.profile.goals.interviewsPerMonth, "interview")} a month,{" "}
                {plural(s.profile.goals.requestsPerWeek, "request")} a week
              </li>
              {s.profile.registeredAt ? <li>Joined {moment(s.profile.registeredAt)}</li> : null}
            </ul>
          </section>
          <section aria-labelledby="h-stats" class="wide">
            <h2 id="h-stats">Numbers</h2>
            <Stats s={s.stats} />
          </section>
          <Section id="h-funnel" title="Funnel">
            <FunnelChart id="student-funnel" stages={s.funnel} />
          </Section>
          <Section id="h-activity" title="Weekly activity">
            <WeeklyChart id="student-activity" what="Steps recorded" weeks={s.activityPerWeek} />
          </Section>
          <Section id="h-chains" title="Referral chains">
            <Chains graph={s.referralGraph} named={n?.referralGraph.nodes} />
          </Section>
          <section aria-labelledby="h-overdue" class="wide">
            <h2 id="h-overdue">
              Overdue <span class="count">{s.overdue.length}</span>
            </h2>
            <Overdue items={s.overdue} notes={n} />
          </section>
          {s.scope === "notes" ? (
            <section aria-labelledby="h-contacts" class="wide">
              <h2 id="h-contacts">Contacts</h2>
              <ProblemNote problem={notes.problem} />
              {notes.loading && !n ? <p aria-busy="true">Loading…</p> : null}
              {n?.contacts ? <Contacts key={id} id={id} first={n.contacts} /> : null}
            </section>
          ) : null}
          {refused.length ? (
            <p class="muted wide">Some details are not shared with you and are left out.</p>
          ) : null}
        </div>
      ) : null}
    </AdvisorLayout>
  );
}
