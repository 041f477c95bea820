import { useEffect, useState } from "preact/hooks";
import type { Strength, estimate } from "./strength";

type Estimate = typeof estimate;

// One import() for the whole app: the estimator's chunk is fetched the first time a sign-up form
// shows, and kept.
let loading: Promise<Estimate> | null = null;
function loadEstimator(): Promise<Estimate> {
  loading ??= import("./strength").then((module) => module.estimate);
  return loading;
}

const WORDS: Record<Strength["score"], string> = {
  0: "Very weak",
  1: "Weak",
  2: "Fair, not enough yet",
  3: "Good",
  4: "Strong",
};

/**
 * How hard the password being typed is to guess, counting the email and name as known to a guesser:
 * a meter, a word, and zxcvbn's advice. It only advises; the server decides (422 `weak-password`).
 */
export function PasswordStrength(props: { id: string; password: string; email: string; name: string }) {
  const [estimator, setEstimator] = useState<Estimate | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let shown = true;
    loadEstimator().then(
      (loaded) => shown && setEstimator(() => loaded),
      () => shown && setFailed(true),
    );
    return () => {
      shown = false;
    };
  }, []);
  let body = null;
  if (failed) body = <p class="muted">The strength check could not load; the server still checks it.</p>;
  else if (!props.password) body = <p class="muted">Use a few uncommon words: long beats clever.</p>;
  else if (!estimator) body = <p class="muted">Checking strength…</p>;
  else {
    const strength = estimator(props.password, { email: props.email, name: props.name });
    body = (
      <>
        <p class="strength-line">
          <meter min={0} max={4} low={2} high={3} optimum={4} value={strength.score} aria-hidden="true" />
          <span>
            Strength: <strong data-score={strength.score}>{WORDS[strength.score]}</strong>
          </span>
        </p>
        {strength.warning ? <p class="strength-warning">{strength.warning}</p> : null}
        {strength.suggestions.length > 0 ? (
          <ul class="strength-tips">
            {strength.suggestions.map((tip) => (
              <li key={tip}>{tip}</li>
            ))}
          </ul>
        ) : null}
      </>
    );
  }
  return (
    <div id={props.id} class="strength" aria-live="polite">
      {body}
    </div>
  );
}
