// A change made from a screen that needs the network (nothing is queued, unlike the steps in the
// outbox): busy while it runs, then its problem (offline said plainly) or a short confirmation.
// Settings and its Advisor access section share it, so it lives here rather than in either.
import { useState } from "preact/hooks";
import { asProblem, isOffline, type Problem } from "../api/client";
import type { Fetched } from "./data";
import { ProblemNote } from "./problem";

const OFFLINE: Problem = { status: 0, title: "You're offline — try again when connected" };

/** Call the API for a change: the data, or a problem to show (offline said plainly). */
async function change<T>(call: () => Promise<Fetched<T>>): Promise<{ data?: T; problem?: Problem; response?: Response }> {
  if (!navigator.onLine) return { problem: OFFLINE };
  try {
    const { data, error, response } = await call();
    if (response.ok) return { data: data as T, response };
    if (response.status === 412) {
      return {
        problem: { status: 412, title: "Changed elsewhere", detail: "Your settings changed on another device. They have been reloaded: check them and try again." },
        response,
      };
    }
    return { problem: asProblem(error, response), response };
  } catch (e) {
    return { problem: isOffline(e) ? OFFLINE : asProblem(null) };
  }
}

/**
 * A change made from one part of the page: busy while it runs, then its problem or its short
 * confirmation. With `reload`, a change refused because the profile changed elsewhere (412) reloads it.
 */
export function useAction(reload?: () => void) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState("");
  async function run<T>(call: () => Promise<Fetched<T>>, ok: string, after?: (data: T) => void, failed?: (p: Problem) => void) {
    setBusy(true);
    setProblem(null);
    setDone("");
    const result = await change(call);
    setBusy(false);
    if (result.problem) {
      setProblem(result.problem);
      if (result.problem.status === 412) reload?.();
      failed?.(result.problem);
      return false;
    }
    setDone(ok);
    after?.(result.data as T);
    return true;
  }
  return { busy, problem, done, run };
}

/** What became of an action, next to the control it is about: its problem, or a short-lived confirmation. */
export function ActionResult({ action }: { action: { problem: Problem | null; done: string } }) {
  return (
    <>
      <ProblemNote problem={action.problem} />
      <p class="notice" role="status">
        {action.done}
      </p>
    </>
  );
}
