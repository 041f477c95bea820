import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { api, asProblem, type Problem } from "../api/client";
import { adopt, type Session } from "../session";
import type { Fetched } from "../ui/data";
import { phoneTimeZone } from "../ui/local";
import { ProblemNote } from "../ui/problem";
import "./auth.css";
import { PasswordStrength } from "./password-strength";

/** The phone's region (from its language, e.g. en-NZ → NZ): holidays are counted for it. */
function phoneCountry(): string | undefined {
  const region = navigator.language.split("-")[1];
  return region && /^[A-Z]{2}$/.test(region) ? region : undefined;
}

/**
 * A sign-in or sign-up form: its fields are sent with `send`; the session it answers is adopted and
 * Today opens, else the problem is shown above the button.
 */
function AuthForm(props: {
  title: string;
  verb: string;
  send: (form: FormData) => Promise<Fetched<Session>>;
  /** Below the form, the way to the other one: a question, and a link to it. */
  other: { ask: string; href: string; text: string };
  /** Another way in, below that (e.g. the advisors' sign-up). */
  also?: { ask: string; href: string; text: string };
  children: ComponentChildren;
}) {
  const [, navigate] = useLocation();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    try {
      const { data, error, response } = await props.send(form);
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
    <main id="main" class="auth">
      <p class="brand" aria-hidden="true">
        Rapport
      </p>
      <h1>{props.title}</h1>
      <form onSubmit={submit}>
        {props.children}
        <ProblemNote problem={problem} />
        <button type="submit" disabled={busy}>
          {props.verb}
        </button>
      </form>
      <p>
        {props.other.ask} <Link href={props.other.href}>{props.other.text}</Link>
      </p>
      {props.also ? (
        <p>
          {props.also.ask} <Link href={props.also.href}>{props.also.text}</Link>
        </p>
      ) : null}
    </main>
  );
}

/**
 * The fields a new account starts with, a student's or an advisor's. The password's strength shows
 * as it is typed, judged with the name and email typed above it (a guesser would try those first).
 */
function NewAccountFields({ emailLabel }: { emailLabel: string }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const text = (set: (value: string) => void) => (event: Event) => set((event.currentTarget as HTMLInputElement).value);
  return (
    <>
      <label>
        Your name
        <input name="displayName" autoComplete="name" required maxLength={200} onInput={text(setName)} />
      </label>
      <label>
        {emailLabel}
        <input name="email" type="email" autoComplete="email" required onInput={text(setEmail)} />
      </label>
      <label>
        Password <small>(at least 10 characters)</small>
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          maxLength={200}
          aria-describedby="password-strength"
          onInput={text(setPassword)}
        />
      </label>
      <PasswordStrength id="password-strength" password={password} email={email} name={name} />
    </>
  );
}

/** What NewAccountFields sent. */
const newAccount = (form: FormData) => ({
  displayName: String(form.get("displayName")),
  email: String(form.get("email")),
  password: String(form.get("password")),
});

export function SignIn() {
  return (
    <AuthForm
      title="Sign in"
      verb="Sign in"
      send={(form) =>
        api.POST("/api/v1/auth/sign-in", {
          body: { email: String(form.get("email")), password: String(form.get("password")) },
        })
      }
      other={{ ask: "New here?", href: "/sign-up", text: "Create an account" }}
    >
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
    </AuthForm>
  );
}

export function SignUp() {
  return (
    <AuthForm
      title="Create your account"
      verb="Create account"
      send={(form) =>
        api.POST("/api/v1/auth/sign-up", {
          body: { ...newAccount(form), timeZone: phoneTimeZone(), country: phoneCountry() },
        })
      }
      other={{ ask: "Have an account?", href: "/sign-in", text: "Sign in" }}
      also={{ ask: "Helping students as a career advisor?", href: "/advisor-sign-up", text: "I'm an advisor" }}
    >
      <NewAccountFields emailLabel="Email" />
      <p class="muted">Your time zone ({phoneTimeZone()}) and country come from this phone; change them in Settings.</p>
    </AuthForm>
  );
}

/** A career advisor's account: they see a student's data only once that student grants access. */
export function AdvisorSignUp() {
  return (
    <AuthForm
      title="Create an advisor account"
      verb="Create advisor account"
      send={(form) =>
        api.POST("/api/v1/auth/advisor-sign-up", {
          body: newAccount(form),
        })
      }
      other={{ ask: "Have an account?", href: "/sign-in", text: "Sign in" }}
      also={{ ask: "Exploring careers yourself?", href: "/sign-up", text: "I'm a student" }}
    >
      <p class="muted">
        Advisors see a student's progress only after that student grants access, and the student sees every look.
      </p>
      <NewAccountFields emailLabel="Work email" />
    </AuthForm>
  );
}
