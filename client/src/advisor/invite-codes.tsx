// The advisor's invite codes, shown in Settings and to an advisor with no students yet (dashboard.tsx).
import { useState } from "preact/hooks";
import { api, asProblem, type Problem, type Schemas } from "../api/client";
import { moment } from "../format";
import { session } from "../session";
import { useLoad } from "../ui/data";
import { ProblemNote } from "../ui/problem";

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
