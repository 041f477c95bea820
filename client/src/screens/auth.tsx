import { useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { api, asProblem, type Problem } from "../api/client";
import { adopt } from "../session";
import { ProblemNote } from "../ui/problem";

function phoneTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** The phone's region (from its language, e.g. en-NZ → NZ): holidays are counted for it. */
function phoneCountry(): string | undefined {
  const region = navigator.language.split("-")[1];
  return region && /^[A-Z]{2}$/.test(region) ? region : undefined;
}

function AuthFrame({ title, children }: { title: string; children: preact.ComponentChildren }) {
  return (
    <main id="main" class="auth">
      <p class="brand" aria-hidden="true">
        Rapport
      </p>
      <h1>{title}</h1>
      {children}
    </main>
  );
}

export function SignIn() {
  const [, navigate] = useLocation();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    try {
      const { data, error, response } = await api.POST("/api/v1/auth/sign-in", {
        body: { email: String(form.get("email")), password: String(form.get("password")) },
      });
      if (data) {
        adopt(data);
        navigate("/");
      } else setProblem(asProblem(error, response));
    } catch {
      setProblem(asProblem(null));
    } finally {
      setBusy(false);
    }
  }
  return (
    <AuthFrame title="Sign in">
      <form onSubmit={submit}>
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <ProblemNote problem={problem} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <p>
        New here? <Link href="/sign-up">Create an account</Link>
      </p>
    </AuthFrame>
  );
}

export function SignUp() {
  const [, navigate] = useLocation();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    try {
      const { data, error, response } = await api.POST("/api/v1/auth/sign-up", {
        body: {
          displayName: String(form.get("displayName")),
          email: String(form.get("email")),
          password: String(form.get("password")),
          timeZone: phoneTimeZone(),
          country: phoneCountry(),
        },
      });
      if (data) {
        adopt(data);
        navigate("/");
      } else setProblem(asProblem(error, response));
    } catch {
      setProblem(asProblem(null));
    } finally {
      setBusy(false);
    }
  }
  return (
    <AuthFrame title="Create your account">
      <form onSubmit={submit}>
        <label>
          Your name
          <input name="displayName" autoComplete="name" required maxLength={200} />
        </label>
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password <small>(at least 10 characters)</small>
          <input name="password" type="password" autoComplete="new-password" required minLength={10} />
        </label>
        <p class="muted">Your time zone ({phoneTimeZone()}) and country come from this phone; change them in Settings.</p>
        <ProblemNote problem={problem} />
        <button type="submit" disabled={busy}>
          Create account
        </button>
      </form>
      <p>
        Have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </AuthFrame>
  );
}
