// Settings → Advisor access: who may see the student's data and how much, and every look they took.
// Granting, changing and revoking take effect on the advisor's next request.
import { useEffect, useState } from "preact/hooks";
import { api, newKey, type Problem, type Schemas } from "../api/client";
import { moment } from "../format";
import { ActionResult, useAction } from "../ui/action";
import { useLoad } from "../ui/data";
import { ProblemNote } from "../ui/problem";

type Access = Schemas["AdvisorAccessView"];
type Read = Schemas["AdvisorReadView"];
type Scope = Access["scope"];

export const SCOPES: Record<Scope, string> = {
  summary: "Counts only (numbers, stages, dates)",
  notes: "Also names, notes and history",
};

function Grant({ done }: { done: () => void }) {
  const action = useAction();
  const [by, setBy] = useState<"email" | "code">("email");
  async function submit(e: Event) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const who = String(data.get("who") ?? "").trim();
    const scope = String(data.get("scope")) as Scope;
    const ok = await action.run(
      () =>
        api.POST("/api/v1/me/advisors", {
          body: by === "email" ? { email: who, scope } : { inviteCode: who, scope },
          params: { header: { "Idempotency-Key": newKey() } },
        }),
      "Access granted.",
    );
    if (ok) {
      form.reset();
      done();
    }
  }
  return (
    <form onSubmit={submit} aria-labelledby="h-grant">
      <h3 id="h-grant">Give an advisor access</h3>
      <fieldset>
        <legend>Find your advisor by</legend>
        <label class="check">
          <input type="radio" name="by" value="email" checked={by === "email"} onChange={() => setBy("email")} />
          Their email
        </label>
        <label class="check">
          <input type="radio" name="by" value="code" checked={by === "code"} onChange={() => setBy("code")} />
          An invite code they gave you
        </label>
      </fieldset>
      <label>
        {by === "email" ? "Advisor's email" : "Invite code"}
        {by === "email" ? (
          <input key="email" name="who" type="email" autoComplete="off" required />
        ) : (
          <input key="code" name="who" autoComplete="off" autoCapitalize="characters" required maxLength={20} />
        )}
      </label>
      <label>
        What they may see
        <select name="scope">
          <option value="summary">{SCOPES.summary}</option>
          <option value="notes">{SCOPES.notes}</option>
        </select>
      </label>
      <ActionResult action={action} />
      <button type="submit" disabled={action.busy}>
        Grant access
      </button>
    </form>
  );
}

function Advisor({ a, changed }: { a: Access; changed: () => void }) {
  const action = useAction(changed);
  const [confirming, setConfirming] = useState(false);
  // The scope as last answered: a change's answer replaces it at once.
  const [current, setCurrent] = useState<Scope>(a.scope);
  useEffect(() => setCurrent(a.scope), [a.scope]);
  const who = a.displayName || a.email;
  async function scope(next: Scope) {
    if (next === current) return;
    await action.run(
      () => api.PATCH("/api/v1/me/advisors/{advisor_id}", { params: { path: { advisor_id: a.advisorId } }, body: { scope: next } }),
      `${who} now sees: ${SCOPES[next].toLowerCase()}.`,
      (view) => setCurrent(view.scope),
    );
  }
  async function revoke() {
    const ok = await action.run(
      () => api.DELETE("/api/v1/me/advisors/{advisor_id}", { params: { path: { advisor_id: a.advisorId } } }),
      `${who} no longer has access.`,
    );
    if (ok) changed();
  }
  return (
    <li class="advisor-access">
      <span class="item-text">
        <strong>{a.displayName}</strong>
        <small>
          {a.email} · since {moment(a.grantedAt)}
        </small>
      </span>
      <label>
        What {who} may see
        <select value={current} disabled={action.busy} onChange={(e) => void scope((e.currentTarget as HTMLSelectElement).value as Scope)}>
          <option value="summary">{SCOPES.summary}</option>
          <option value="notes">{SCOPES.notes}</option>
        </select>
      </label>
      {confirming ? (
        <div class="row" role="group" aria-label={`Revoke ${who}'s access?`}>
          <button type="button" class="danger" disabled={action.busy} onClick={() => void revoke()}>
            Yes, revoke {who}'s access
          </button>
          <button type="button" class="secondary" onClick={() => setConfirming(false)}>
            Keep access
          </button>
        </div>
      ) : (
        <button type="button" class="danger" onClick={() => setConfirming(true)}>
          Revoke access
        </button>
      )}
      <ActionResult action={action} />
    </li>
  );
}

/** Names in a sentence: "A", "A and B", "A, B and C", "A, B, C and 2 more". */
function listed(names: string[], most = 3): string {
  const shown = names.length > most ? [...names.slice(0, most), `${names.length - most} more`] : names;
  return shown.length > 1 ? `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}` : (shown[0] ?? "");
}

/** What an advisor looked at, in words (every kind the server records: a new one fails the build). */
const WHAT: Record<Read["what"][number], (r: Read) => string> = {
  profile: () => "your profile",
  stats: () => "your numbers",
  agenda: () => "what is overdue",
  contacts: () => "your list of contacts",
  history: (r) => `the history with ${r.contacts.length ? listed(r.contacts.map((c) => c.name)) : "a contact"}`,
  referral_graph: () => "your referral chains",
  cohort: () => "your place in their cohort",
};

function Reads() {
  const [pages, setPages] = useState<Read[][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const first = useLoad(() => api.GET("/api/v1/me/advisor-reads", { params: { query: { limit: 20 } } }), []);
  const reads = [...(first.data?.items ?? []), ...pages.flat()];
  const next = pages.length ? cursor : (first.data?.nextCursor ?? null);
  async function more() {
    if (!next) return;
    const { data } = await api.GET("/api/v1/me/advisor-reads", { params: { query: { limit: 20, cursor: next } } }).catch(() => ({ data: undefined }));
    if (data) {
      setPages((p) => [...p, data.items]);
      setCursor(data.nextCursor);
      setProblem(null);
    } else setProblem({ status: 0, title: "Could not load more", detail: "Check your connection and try again." });
  }
  return (
    <details>
      <summary>Who looked at what, when</summary>
      <ProblemNote problem={first.problem ?? problem} />
      {first.data && reads.length === 0 ? <p class="muted">No advisor has looked at your data yet.</p> : null}
      <ul class="item-list" aria-label="Advisor reads">
        {reads.map((r) => (
          <li key={r.id}>
            <span class="item-text">
              <span>
                <strong>{r.displayName || r.email}</strong> looked at {listed(r.what.map((w) => WHAT[w](r)), r.what.length)}
              </span>
              <small>{moment(r.at)}</small>
            </span>
          </li>
        ))}
      </ul>
      {next ? (
        <button type="button" class="secondary" onClick={() => void more()}>
          Show earlier looks
        </button>
      ) : null}
    </details>
  );
}

export function AdvisorAccess() {
  const advisors = useLoad(() => api.GET("/api/v1/me/advisors", { params: { query: { limit: 100 } } }), []);
  const list = advisors.data?.items ?? [];
  return (
    <div class="panel">
      <p>
        A career advisor sees your progress only if you let them, and you see every look they take. You can change what they
        see or take it away at any time.
      </p>
      <ProblemNote problem={advisors.problem} />
      {advisors.data && list.length === 0 ? <p class="muted">No advisor has access to your data.</p> : null}
      {list.length ? (
        <ul class="item-list" aria-label="Advisors with access">
          {list.map((a) => (
            <Advisor key={a.advisorId} a={a} changed={advisors.reload} />
          ))}
        </ul>
      ) : null}
      <Grant done={advisors.reload} />
      <Reads />
    </div>
  );
}
