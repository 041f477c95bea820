// The advisor's dashboard: the cohort's funnel and weekly activity, who needs attention and why, and
// the advisees, a page at a time.
import { useEffect, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { query, type AdviseePageFragment, type Answer, type AttentionPageFragment } from "../api/gql";
import type { Problem } from "../api/client";
import { useLoad } from "../ui/data";
import { Section } from "../ui/layout";
import { Empty, ProblemNote } from "../ui/problem";
import { InviteCodes } from "./invite-codes";
import { AdvisorLayout } from "./layout";
import { SCOPE_LABEL } from "./scope";
import { Figure, WeeklyChart } from "../ui/charts";
import { FunnelChart } from "./charts";

const PAGE = 20;
const INACTIVE_DAYS = 14;

type Advisee = AdviseePageFragment["nodes"][number];
type Attention = AttentionPageFragment["nodes"][number];
interface Page<N> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: N[];
}

const percent = (rate: number | null) => (rate === null ? "–" : `${Math.round(rate * 100)}%`);
const decimal = (n: number | null) => (n === null ? "–" : n.toLocaleString(undefined, { maximumFractionDigits: 1 }));

/** When the student last recorded a step, in words. */
function lastActive(days: number | null): string {
  if (days === null) return "nothing recorded yet";
  if (days <= 0) return "active today";
  return days === 1 ? "last active yesterday" : `last active ${days} days ago`;
}

function NeedsAttention({ attention }: { attention: Pages<Attention> }) {
  if (attention.items.length === 0) {
    return <p class="muted">No one has been inactive for {INACTIVE_DAYS} days or more, and everyone sent their thank-you notes.</p>;
  }
  return (
    <>
      <ul class="list" aria-label="Students needing attention">
        {attention.items.map((a) => (
          <li key={a.student.id} class="card attention">
            <Link href={`/students/${a.student.id}`} class="student-link">
              <strong>{a.student.profile.displayName}</strong>
              <small>{lastActive(a.daysInactive)}</small>
              {a.reasons.map((why) => (
                <span key={why} class="why">
                  {why}
                </span>
              ))}
            </Link>
          </li>
        ))}
      </ul>
      <More pages={attention} />
    </>
  );
}

/** A connection's items: the first page comes with the screen's query, more on "Show more". */
function usePages<N, T>(first: Page<N> | undefined, next: (after: string) => Promise<Answer<T>>, pageOf: (data: T) => Page<N>) {
  const [pages, setPages] = useState<Page<N>[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setPages(first ? [first] : []), [first]);
  const last = pages[pages.length - 1];
  async function more() {
    if (!last?.pageInfo.endCursor) return;
    setBusy(true);
    try {
      const { data, error } = await next(last.pageInfo.endCursor);
      if (data) {
        setPages((p) => [...p, pageOf(data.data)]);
        setProblem(null);
      } else setProblem(error ?? null);
    } catch {
      setProblem({ status: 0, title: "No connection", detail: "Check your connection and try again." });
    } finally {
      setBusy(false);
    }
  }
  return { items: pages.flatMap((p) => p.nodes), hasMore: !!last?.pageInfo.hasNextPage, more, busy, problem };
}
type Pages<N> = ReturnType<typeof usePages<N, unknown>>;

function More<N>({ pages }: { pages: Pages<N> }) {
  return (
    <>
      <ProblemNote problem={pages.problem} />
      {pages.hasMore ? (
        <div class="more">
          <button type="button" class="secondary" disabled={pages.busy} onClick={() => void pages.more()}>
            {pages.busy ? "Loading…" : "Show more"}
          </button>
        </div>
      ) : null}
    </>
  );
}

function useAdvisees(first: AdviseePageFragment | undefined) {
  return usePages(first, (after) => query("Advisees", { first: PAGE, after }), (d) => d.advisees);
}

function useAttention(first: AttentionPageFragment | undefined) {
  return usePages(
    first,
    (after) => query("NeedingAttention", { inactiveDays: INACTIVE_DAYS, first: PAGE, after }),
    (d) => d.cohort.needsAttention,
  );
}

function AdviseeList({ advisees }: { advisees: Pages<Advisee> }) {
  return (
    <>
      <ul class="list" aria-label="Your students">
        {advisees.items.map((s: Advisee) => (
          <li key={s.id} class="card">
            <Link href={`/students/${s.id}`} class="student-link">
              <strong>{s.profile.displayName}</strong>
              <span class="chip">{SCOPE_LABEL[s.scope] ?? s.scope}</span>
              <span class="why muted">
                {[s.profile.school, `${s.stats.interviewsHeld} interviews held`, lastActive(s.stats.daysSinceLastActivity)]
                  .filter(Boolean)
                  .join(" · ")}
              </span>
            </Link>
          </li>
        ))}
      </ul>
      <More pages={advisees} />
    </>
  );
}

function useDashboard() {
  return useLoad(() => query("Dashboard", { inactiveDays: INACTIVE_DAYS, first: PAGE }), []);
}

function NoStudents() {
  return (
    <Empty title="No students have shared their progress with you yet.">
      <p>Students choose to share, and can stop at any time. Give them your email or an invite code:</p>
      <InviteCodes />
    </Empty>
  );
}

export function Dashboard() {
  const loaded = useDashboard();
  const d = loaded.data?.data;
  const advisees = useAdvisees(d?.advisees);
  const attention = useAttention(d?.cohort.needsAttention);
  const c = d?.cohort;
  return (
    <AdvisorLayout title="Dashboard">
      <ProblemNote problem={loaded.problem} />
      {loaded.loading && !d ? <p aria-busy="true">Loading…</p> : null}
      {c && c.students === 0 ? <NoStudents /> : null}
      {c && c.students > 0 ? (
        <div class="advisor-grid">
          <section aria-labelledby="h-cohort" class="wide">
            <h2 id="h-cohort">Your cohort</h2>
            <dl class="figures">
              <Figure label="Students" value={String(c.students)} />
              <Figure label="Thank-yous on time" value={percent(c.thankYouOnTimeRate)} note="within 2 business days" />
              <Figure label="Median days to thanks" value={decimal(c.medianDaysToThanks)} note="from interview to thank-you" />
              <Figure label="Referrals per student" value={decimal(c.referralsPerStudent)} />
            </dl>
          </section>
          <section aria-labelledby="h-attention" class="wide">
            <h2 id="h-attention">
              Needing attention <span class="count">{c.needsAttentionCount}</span>
            </h2>
            <NeedsAttention attention={attention} />
          </section>
          <Section id="h-funnel" title="Funnel">
            <FunnelChart id="cohort-funnel" stages={c.funnel} />
          </Section>
          <Section id="h-activity" title="Weekly activity">
            <WeeklyChart
              id="cohort-activity"
              what={`Steps recorded across all your students (${c.students})`}
              weeks={c.activityPerWeek}
            />
          </Section>
          <section aria-labelledby="h-students" class="wide">
            <h2 id="h-students">Students</h2>
            <AdviseeList advisees={advisees} />
          </section>
        </div>
      ) : null}
    </AdvisorLayout>
  );
}

export function Students() {
  const loaded = useLoad(() => query("Advisees", { first: PAGE, after: null }), []);
  const d = loaded.data?.data;
  const advisees = useAdvisees(d?.advisees);
  return (
    <AdvisorLayout title="Students">
      <ProblemNote problem={loaded.problem} />
      {loaded.loading && !d ? <p aria-busy="true">Loading…</p> : null}
      {d && d.advisees.nodes.length === 0 ? <NoStudents /> : null}
      {d && d.advisees.nodes.length > 0 ? <AdviseeList advisees={advisees} /> : null}
    </AdvisorLayout>
  );
}
