// An advisor's screens (loaded only for an advisor): the dashboard, the students, each student's page,
// and settings. Reads go through GraphQL (api/gql.ts); invite codes through REST.
import { useState } from "preact/hooks";
import { Redirect, Route, Switch } from "wouter-preact";
import { api, asProblem, type Problem, type Schemas } from "../api/client";
import { moment } from "../format";
import { session } from "../session";
import { useLoad } from "../ui/data";
import { Layout, Section, type Tab } from "../ui/layout";
import { ProblemNote } from "../ui/problem";
import { SignOut } from "../screens/settings";
import { Dashboard, Students } from "./dashboard";
import { StudentPage } from "./student";
import "../screens/screens.css";
import "./advisor.css";

export const ADVISOR_TABS: readonly Tab[] = [
  { href: "/", label: "Dashboard", icon: "◔" },
  { href: "/students", label: "Students", icon: "☰" },
  { href: "/settings", label: "Settings", icon: "⚙" },
];

/** The advisor's own layout: the same shell as a student's, with the advisor's tabs. */
export function AdvisorLayout(props: { title: string; children: preact.ComponentChildren }) {
  return (
    <Layout title={props.title} tabs={ADVISOR_TABS}>
      <div class="advisor">{props.children}</div>
    </Layout>
  );
}

/** The advisor's invite codes: to list, to make one, and how students use them. */
export function InviteCodes() {
  const codes = useLoad(() => api.GET("/api/v1/advisor/invite-codes"), []);
  const [created, setCreated] = useState<Schemas["InviteCodeView"][]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  async function create() {
    setBusy(true);
    setProblem(null);
    try {
      const { data, error, response } = await api.POST("/api/v1/advisor/invite-codes");
      if (data) setCreated((c) => [...c, data]);
      else setProblem(asProblem(error, response));
    } catch {
      setProblem(asProblem(null));
    } finally {
      setBusy(false);
    }
  }
  const known = codes.data?.items ?? [];
  const all = [...known, ...created.filter((c) => !known.some((k) => k.code === c.code))];
  return (
    <div class="panel">
      <p>
        A student opens <strong>Settings → Advisor access</strong> in Rapport and enters your email (
        <span class="mono">{session.value?.email}</span>) or one of your invite codes, choosing what you may see: counts only, or
        also names and notes.
      </p>
      <ProblemNote problem={codes.problem ?? problem} />
      {all.length ? (
        <ul class="item-list" aria-label="Your invite codes">
          {all.map((c) => (
            <li key={c.code}>
              <span class="item-text">
                <strong class="mono invite-code">{c.code}</strong>
                <small>made {moment(c.createdAt)}</small>
              </span>
            </li>
          ))}
        </ul>
      ) : codes.loading ? null : (
        <p class="muted">You have no invite code yet.</p>
      )}
      <button type="button" class="secondary" disabled={busy} onClick={() => void create()}>
        Make an invite code
      </button>
    </div>
  );
}

function AdvisorSettings() {
  return (
    <AdvisorLayout title="Settings">
      <div class="settings">
        <Section id="h-account-info" title="Your account">
          <p>
            Signed in as an advisor: <span class="mono">{session.value?.email}</span>
          </p>
        </Section>
        <Section id="h-invite" title="Invite codes">
          <InviteCodes />
        </Section>
        <Section id="h-account" title="Sign out">
          <SignOut />
        </Section>
      </div>
    </AdvisorLayout>
  );
}

export function AdvisorApp() {
  return (
    <Switch>
      <Route path="/" component={Dashboard} />
      <Route path="/students" component={Students} />
      <Route path="/students/:id">{(params) => <StudentPage id={params.id} />}</Route>
      <Route path="/settings" component={AdvisorSettings} />
      <Route>
        <Redirect to="/" />
      </Route>
    </Switch>
  );
}
