// The student's profile, interests, goals, question bank, access tokens, calendar feed, and signing out.
// Settings need the network (nothing here is queued): a failure offline says so.
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, type Problem, type Schemas } from "../api/client";
import { moment } from "../format";
import { outbox } from "../outbox";
import { adopt, forgetLocalData } from "../session";
import { ActionResult, useAction } from "../ui/action";
import { useLoad } from "../ui/data";
import { Layout, Section } from "../ui/layout";
import { phoneTimeZone } from "../ui/local";
import { Options } from "../ui/options";
import { ProblemNote } from "../ui/problem";
import { AdvisorAccess } from "./advisor-access";
import "./screens.css";

type Profile = Schemas["ProfileView"];
type Question = Schemas["QuestionView"];

const ifMatch = (version: number) => ({ "If-Match": `"${version}"` });

/** A local copy of a value from the server, to edit: it follows the server's value when that changes (a save, a reload). */
function useFollowing<T>(server: T): [T, (value: T) => void] {
  const [value, setValue] = useState(server);
  useEffect(() => setValue(server), [server]);
  return [value, setValue];
}

/** A part of the profile: the profile as last answered, how a change's answer replaces it, and how to load it again. */
type PartProps = { p: Profile; update: (p: Profile) => void; reload: () => void };

function timeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    zones = [];
  }
  const all = new Set([...zones, "UTC", current]);
  return [...all].filter(Boolean).sort();
}

function ProfileForm({ p, update, reload }: PartProps) {
  const [displayName, setDisplayName] = useFollowing(p.displayName);
  const [school, setSchool] = useFollowing(p.school ?? "");
  const [timeZone, setTimeZone] = useFollowing(p.timeZone);
  const [country, setCountry] = useFollowing(p.country);
  const zones = useMemo(() => timeZones(p.timeZone), [p.timeZone]);
  const action = useAction(reload);
  const here = phoneTimeZone();
  async function submit(e: Event) {
    e.preventDefault();
    await action.run(
      () =>
        api.PATCH("/api/v1/me", {
          body: { displayName: displayName.trim(), school: school.trim(), timeZone, country: country.trim().toUpperCase() },
          headers: ifMatch(p.version),
        }),
      "Profile saved.",
      update,
    );
  }
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="h-profile">
      <p class="muted">
        Signed in as <strong>{p.email}</strong>
      </p>
      <label>
        Display name
        <input value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} required maxLength={200} autoComplete="name" />
      </label>
      <label>
        <span>
          School <span class="optional">(optional)</span>
        </span>
        <input value={school} onInput={(e) => setSchool(e.currentTarget.value)} maxLength={200} autoComplete="organization" />
      </label>
      <label>
        Time zone
        <select value={timeZone} onChange={(e) => setTimeZone(e.currentTarget.value)} aria-describedby="tz-hint">
          {zones.map((z) => (
            <option key={z} value={z}>
              {z.replace(/_/g, " ")}
            </option>
          ))}
        </select>
        <span class="hint" id="tz-hint">
          Your agenda's days and due dates follow it.
        </span>
      </label>
      {here !== timeZone ? (
        <button type="button" class="secondary" onClick={() => setTimeZone(here)}>
          Use this phone's time zone ({here.replace(/_/g, " ")})
        </button>
      ) : null}
      <label>
        Country
        <input
          value={country}
          onInput={(e) => setCountry(e.currentTarget.value.toUpperCase())}
          required
          minLength={2}
          maxLength={2}
          pattern="[A-Za-z]{2}"
          autoCapitalize="characters"
          autoComplete="country"
          aria-describedby="country-hint"
          style={{ maxWidth: "6rem" }}
        />
        <span class="hint" id="country-hint">
          Two letters, e.g. US, GB, NZ: business days skip its public holidays.
        </span>
      </label>
      <ActionResult action={action} />
      <button type="submit" disabled={action.busy}>
        Save profile
      </button>
    </form>
  );
}

function Interests({ p, update, reload }: PartProps) {
  const [draft, setDraft] = useState("");
  const action = useAction(reload);
  async function save(interests: string[], ok: string) {
    return action.run(() => api.PUT("/api/v1/me/interests", { body: { interests }, headers: ifMatch(p.version) }), ok, update);
  }
  async function add(e: Event) {
    e.preventDefault();
    const value = draft.trim();
    if (!value) return;
    if (p.interests.some((i) => i.toLowerCase() === value.toLowerCase())) {
      setDraft("");
      return;
    }
    if (await save([...p.interests, value], `Added “${value}”.`)) setDraft("");
  }
  return (
    <div class="panel">
      {p.interests.length ? (
        <ul class="tag-list" aria-label="Your career interests">
          {p.interests.map((i) => (
            <li key={i}>
              <span>{i}</span>
              <button
                type="button"
                aria-label={`Remove ${i}`}
                disabled={action.busy}
                onClick={() => void save(p.interests.filter((x) => x !== i), `Removed “${i}”.`)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No career interests yet: add the kinds of work you are exploring.</p>
      )}
      <form class="inline-form" onSubmit={add}>
        <label>
          Add a career interest
          <input value={draft} onInput={(e) => setDraft(e.currentTarget.value)} maxLength={100} placeholder="e.g. UX research" />
        </label>
        <button type="submit" disabled={action.busy || !draft.trim()}>
          Add interest
        </button>
      </form>
      <ActionResult action={action} />
    </div>
  );
}

function Goals({ p, update, reload }: PartProps) {
  const [requests, setRequests] = useFollowing(String(p.goals.requestsPerWeek));
  const [interviews, setInterviews] = useFollowing(String(p.goals.interviewsPerMonth));
  const action = useAction(reload);
  async function submit(e: Event) {
    e.preventDefault();
    await action.run(
      () =>
        api.PUT("/api/v1/me/goals", {
          body: { requestsPerWeek: Number(requests), interviewsPerMonth: Number(interviews) },
          headers: ifMatch(p.version),
        }),
      "Goals saved.",
      update,
    );
  }
  return (
    <form class="panel" onSubmit={submit}>
      <div class="two">
        <label>
          Requests per week
          <input type="number" inputMode="numeric" min={0} max={50} step={1} required value={requests} onInput={(e) => setRequests(e.currentTarget.value)} />
        </label>
        <label>
          Interviews per month
          <input type="number" inputMode="numeric" min={0} max={60} step={1} required value={interviews} onInput={(e) => setInterviews(e.currentTarget.value)} />
        </label>
      </div>
      <ActionResult action={action} />
      <button type="submit" disabled={action.busy}>
        Save goals
      </button>
    </form>
  );
}

const TOPICS: Record<string, string> = {
  background: "Background",
  typical_day: "A typical day",
  challenges: "Challenges",
  rewards: "Rewards",
  experience: "Experience that helped",
  advice: "Advice and resources",
  referrals: "Who else to talk to",
  other: "Other",
};
const topicLabel = (t: string) => TOPICS[t] ?? t.replace(/_/g, " ");

function Questions({ p, reload }: { p: Profile; reload: () => void }) {
  const [text, setText] = useState("");
  const [topic, setTopic] = useState("other");
  const action = useAction(reload);
  async function add(e: Event) {
    e.preventDefault();
    const value = text.trim();
    if (!value) return;
    const ok = await action.run(
      () => api.POST("/api/v1/me/questions", { body: { text: value, topic }, headers: ifMatch(p.version) }),
      "Question added.",
      reload,
    );
    if (ok) setText("");
  }
  async function remove(q: Question) {
    await action.run(
      () => api.DELETE("/api/v1/me/questions/{question_id}", { params: { path: { question_id: q.id } }, headers: ifMatch(p.version) }),
      "Question removed.",
      reload,
    );
  }
  const topics = [...new Set([...Object.keys(TOPICS), ...p.questions.map((q) => q.topic)])].filter((t) =>
    p.questions.some((q) => q.topic === t),
  );
  return (
    <div class="panel">
      {p.questions.length === 0 ? (
        <p class="muted">No questions yet: add the ones you want to ask in your conversations.</p>
      ) : (
        <div>
          {topics.map((t) => (
            <div class="topic-group" key={t}>
              <h3>{topicLabel(t)}</h3>
              <ul class="item-list">
                {p.questions
                  .filter((q) => q.topic === t)
                  .map((q) => (
                    <li key={q.id}>
                      <span class="item-text">{q.text}</span>
                      <button
                        type="button"
                        class="danger"
                        aria-label={`Remove question: ${q.text}`}
                        disabled={action.busy}
                        onClick={() => void remove(q)}
                      >
                        Remove
                      </button>
                    </li>
                  ))}
              </ul>
            </div>
          ))}
        </div>
      )}
      <ActionResult action={action} />
      <form onSubmit={add}>
        <label>
          New question
          <textarea value={text} onInput={(e) => setText(e.currentTarget.value)} maxLength={500} rows={2} required />
        </label>
        <label>
          Topic
          <select value={topic} onChange={(e) => setTopic(e.currentTarget.value)}>
            <Options labels={TOPICS} />
          </select>
        </label>
        <button type="submit" disabled={action.busy}>
          Add question
        </button>
      </form>
    </div>
  );
}

/** A secret shown once, to select or copy. */
function Secret({ label, value, copy }: { label: string; value: string; copy: string }) {
  return (
    <>
      <label>
        {label}
        <input readOnly value={value} onFocus={(e) => e.currentTarget.select()} spellcheck={false} />
      </label>
      <CopyButton value={value} text={copy} />
    </>
  );
}

/** Copy a secret to the clipboard, saying so (or saying to select it by hand). */
function CopyButton({ value, text }: { value: string; text: string }) {
  const [said, setSaid] = useState("");
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setSaid("Copied.");
    } catch {
      setSaid("Couldn't copy: select the text and copy it.");
    }
  }
  return (
    <div class="row">
      <button type="button" class="secondary" onClick={() => void copy()}>
        {text}
      </button>
      <span role="status">{said}</span>
    </div>
  );
}

function Tokens() {
  const tokens = useLoad(() => api.GET("/api/v1/tokens"), []);
  const [name, setName] = useState("");
  const [issued, setIssued] = useState<Schemas["IssuedTokenBody"] | null>(null);
  const action = useAction();
  async function create(e: Event) {
    e.preventDefault();
    const value = name.trim();
    if (!value) return;
    await action.run(
      () => api.POST("/api/v1/tokens", { body: { name: value } }),
      "",
      (token) => {
        setIssued(token);
        setName("");
        tokens.reload();
      },
    );
  }
  async function revoke(t: Schemas["AccessTokenBody"]) {
    await action.run(
      () => api.DELETE("/api/v1/tokens/{token_id}", { params: { path: { token_id: t.tokenId } } }),
      `Revoked “${t.name}”.`,
      () => {
        if (issued?.tokenId === t.tokenId) setIssued(null);
        tokens.reload();
      },
    );
  }
  const list = tokens.data ?? [];
  return (
    <div class="panel">
      <p class="muted">For scripts and API clients. A token acts as you until you revoke it.</p>
      {issued ? (
        <div class="secret">
          <p>
            <strong>Copy your new token now:</strong> it won't be shown again.
          </p>
          <Secret label={`Token “${issued.name}”`} value={issued.token} copy="Copy token" />
          <button type="button" class="secondary" onClick={() => setIssued(null)}>
            Done
          </button>
        </div>
      ) : null}
      <ProblemNote problem={tokens.problem} />
      {tokens.data && list.length === 0 ? <p class="muted">No access tokens.</p> : null}
      {list.length ? (
        <ul class="item-list" aria-label="Your access tokens">
          {list.map((t) => (
            <li key={t.tokenId}>
              <span class="item-text">
                <strong>{t.name}</strong>
                <small>
                  <span class="mono">{t.prefix}…</span> · created {moment(t.createdAt)} ·{" "}
                  {t.lastUsedAt ? `last used ${moment(t.lastUsedAt)}` : "never used"}
                </small>
              </span>
              <button type="button" class="danger" aria-label={`Revoke ${t.name}`} disabled={action.busy} onClick={() => void revoke(t)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <ActionResult action={action} />
      <form class="inline-form" onSubmit={create}>
        <label>
          Token name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} maxLength={100} placeholder="e.g. my script" required />
        </label>
        <button type="submit" disabled={action.busy}>
          Create token
        </button>
      </form>
    </div>
  );
}

function CalendarFeed() {
  const status = useLoad(() => api.GET("/api/v1/calendar-feed"), []);
  const [feed, setFeed] = useState<Schemas["CalendarFeedView"] | null>(null);
  const [stopped, setStopped] = useState(false);
  const action = useAction();
  const live = feed !== null || (!stopped && !!status.data?.active);
  async function create() {
    await action.run(() => api.POST("/api/v1/calendar-feed"), "", (made) => {
      setFeed(made);
      setStopped(false);
    });
  }
  async function revoke() {
    await action.run(() => api.DELETE("/api/v1/calendar-feed"), "Calendar feed stopped: its address no longer works.", () => {
      setFeed(null);
      setStopped(true);
    });
  }
  return (
    <div class="panel">
      <p class="muted">
        Your interviews in your calendar app: subscribe to a private address. Making a new one stops the old one.
      </p>
      <ProblemNote problem={status.problem} />
      {!feed && live && status.data?.createdAt ? (
        <p>
          Your calendar feed is on, since {moment(status.data.createdAt)}. Its address was shown once, when you made it: to see an
          address again, make a new one (the old one then stops working).
        </p>
      ) : null}
      {feed ? (
        <div class="secret">
          <p>
            <strong>Subscribe to this address</strong> in your calendar app (“Add calendar from URL”). Keep it private: anyone
            with it sees your interviews.
          </p>
          <Secret label="Calendar feed address" value={feed.url} copy="Copy address" />
        </div>
      ) : null}
      <ActionResult action={action} />
      <div class="row">
        <button type="button" disabled={action.busy} onClick={() => void create()}>
          {live ? "Make a new feed address" : "Create calendar feed"}
        </button>
        {live ? (
          <button type="button" class="danger" disabled={action.busy} onClick={() => void revoke()}>
            Stop calendar feed
          </button>
        ) : null}
      </div>
    </div>
  );
}

export function SignOut() {
  const [asking, setAsking] = useState<"here" | "everywhere" | null>(null);
  const action = useAction();
  const waiting = outbox.value.length;
  async function signOut(where: "here" | "everywhere") {
    // Signed out already (401): there is nothing more to end on the server.
    const ended = (p: Problem) => p.status === 401;
    let gone = false;
    const ok =
      where === "here"
        ? await action.run(() => api.POST("/api/v1/auth/sign-out"), "", undefined, (p) => (gone = ended(p)))
        : await action.run(() => api.POST("/api/v1/auth/sign-out-everywhere"), "", undefined, (p) => (gone = ended(p)));
    if (ok || gone) {
      await forgetLocalData();
      adopt(null);
    }
  }
  function ask(where: "here" | "everywhere") {
    if (waiting > 0) setAsking(where);
    else void signOut(where);
  }
  return (
    <div class="panel">
      {asking ? (
        <div class="notice warn" role="alert">
          <p>
            <strong>
              {waiting === 1 ? "1 step recorded on this phone hasn't" : `${waiting} steps recorded on this phone haven't`} been sent
              yet.
            </strong>
          </p>
          <p>
            They can only be sent while you're signed in. They stay on this phone: sign in here again to send them (or to see
            what needs you).
          </p>
          <div class="row">
            <button type="button" class="danger" disabled={action.busy} onClick={() => void signOut(asking)}>
              Sign out anyway
            </button>
            <button type="button" class="secondary" onClick={() => setAsking(null)}>
              Stay signed in
            </button>
          </div>
        </div>
      ) : null}
      <ProblemNote problem={action.problem} />
      <div class="row">
        <button type="button" class="secondary" disabled={action.busy} onClick={() => ask("here")}>
          Sign out
        </button>
        <button type="button" class="danger" disabled={action.busy} onClick={() => ask("everywhere")}>
          Sign out everywhere
        </button>
      </div>
      <p class="muted">“Sign out everywhere” ends every browser session of your account. Access tokens stay valid: revoke them above.</p>
    </div>
  );
}

export function Settings() {
  const me = useLoad(() => api.GET("/api/v1/me"), []);
  // The profile as last answered: a change's answer replaces it at once (with its new version).
  const [profile, setProfile] = useState<Profile | undefined>(undefined);
  useEffect(() => setProfile(me.data), [me.data]);
  const p = profile;
  return (
    <Layout title="Settings">
      <div class="settings">
        <ProblemNote problem={me.problem} />
        {me.loading && !p ? <p aria-busy="true">Loading…</p> : null}
        {p ? (
          <>
            <Section id="h-profile" title="Profile">
              <ProfileForm p={p} update={setProfile} reload={me.reload} />
            </Section>
            <Section id="h-interests" title="Career interests">
              <Interests p={p} update={setProfile} reload={me.reload} />
            </Section>
            <Section id="h-goals" title="Goals">
              <Goals p={p} update={setProfile} reload={me.reload} />
            </Section>
            <Section id="h-questions" title="Question bank">
              <Questions p={p} reload={me.reload} />
            </Section>
          </>
        ) : null}
        <Section id="h-advisors" title="Advisor access">
          <AdvisorAccess />
        </Section>
        <Section id="h-tokens" title="Access tokens">
          <Tokens />
        </Section>
        <Section id="h-calendar" title="Calendar feed">
          <CalendarFeed />
        </Section>
        <Section id="h-account" title="Account">
          <SignOut />
        </Section>
      </div>
    </Layout>
  );
}
