// Add someone to the network in seconds: a name and how you found them are enough. Pre-filled when
// another screen sends the student here (e.g. #/add?organization=Acme&howFound=referral&referredBy=<id>).
import { useEffect, useMemo, useState } from "preact/hooks";
import { useLocation, useSearch } from "wouter-preact";
import { api, newKey, type Problem, type Schemas } from "../api/client";
import { enqueue, flush } from "../outbox";
import { record, type EditBody } from "../steps";
import { useLoad } from "../ui/data";
import { Layout } from "../ui/layout";
import { Options } from "../ui/options";
import { ProblemNote } from "../ui/problem";
import "./screens.css";

type HowFound = Schemas["AddContact"]["howFound"];

export const HOW_FOUND: Record<HowFound, string> = {
  professor: "Through a professor",
  alumni: "Alumni network",
  career_office: "Career office",
  friend_family: "Friends or family",
  colloquium: "A talk or colloquium",
  linkedin: "LinkedIn",
  conference: "A conference or event",
  cold: "I found them myself",
  referral: "Someone referred me",
  other: "Other",
};

const FIELDS = ["name", "title", "organization", "careerField", "email", "phone", "linkedinUrl", "tags", "notes"] as const;
type Field = (typeof FIELDS)[number];
type Values = Record<Field, string> & { howFound: HowFound | ""; referredBy: string };

/** Query values given to this screen: after `?` in the hash (#/add?x=1), or in the URL's search. */
function usePrefill(): Values {
  const search = useSearch();
  return useMemo(() => {
    const params = new URLSearchParams(search);
    const inHash = location.hash.indexOf("?");
    if (inHash >= 0) new URLSearchParams(location.hash.slice(inHash + 1)).forEach((v, k) => params.set(k, v));
    const get = (k: string) => params.get(k)?.trim() ?? "";
    const values = Object.fromEntries(FIELDS.map((f) => [f, get(f)])) as Record<Field, string>;
    if (!values.careerField) values.careerField = get("field");
    const how = get("howFound");
    const referredBy = get("referredBy");
    return {
      ...values,
      howFound: referredBy ? "referral" : how in HOW_FOUND ? (how as HowFound) : "",
      referredBy,
    };
    // Read once: the values are a starting point, the form is the student's from then on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}

const LABELS: Record<string, string> = {
  name: "Name",
  howFound: "How you found them",
  title: "Title or role",
  organization: "Organization",
  careerField: "Career field",
  email: "Email",
  phone: "Phone",
  linkedinUrl: "LinkedIn URL",
  tags: "Tags",
  notes: "Notes",
};
const HINTS: Record<string, string> = {
  email: "an address like name@example.com",
  phone: "digits, spaces and + ( ) . / - only",
  linkedinUrl: "a web address starting with https://",
  tags: "at most 20 tags of up to 40 characters",
};

/** A validation problem (400) said field by field, with the form's own labels. */
function readable(problem: Problem): Problem {
  const extra = problem["extra"];
  if (problem.status !== 400 || !Array.isArray(extra)) return problem;
  const errors = (extra as { key?: string; message?: string }[]).map((e) => {
    const key = (e.key ?? "").split(/[.[]/)[0] ?? "";
    return { key: LABELS[key] ?? key, message: HINTS[key] ?? e.message };
  });
  return { status: 400, title: "Please check these details", errors };
}

/** Where the query values live after a link from another screen: `?…` before the hash. */
function forgetPrefill(): void {
  const params = new URLSearchParams(location.search);
  let changed = false;
  for (const k of [...FIELDS, "field", "howFound", "referredBy"]) {
    if (params.has(k)) {
      params.delete(k);
      changed = true;
    }
  }
  if (!changed) return;
  const search = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${search ? `?${search}` : ""}${location.hash}`);
}

const blank = (s: string) => (s.trim() ? s.trim() : null);

function tagsOf(s: string): string[] {
  return s
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

/** The contact named in the link as the one who referred this person. */
function ReferredBy({ id }: { id: string }) {
  const referrer = useLoad(() => api.GET("/api/v1/contacts/{contact_id}", { params: { path: { contact_id: id } } }), [id]);
  return (
    <>
      <p class="referred">
        Referred by <strong>{referrer.data?.name ?? (referrer.loading ? "…" : "one of your contacts")}</strong>
      </p>
      <ProblemNote problem={referrer.problem} />
    </>
  );
}

/** Pick who referred this person, among the student's contacts. */
function ReferrerPicker({ value, onChange }: { value: string; onChange: (e: { currentTarget: { value: string } }) => void }) {
  const people = useLoad(() => api.GET("/api/v1/contacts", { params: { query: { limit: 100 } } }), []);
  const choices = (people.data?.items ?? []).filter((c) => !c.archived && !c.erased).sort((a, b) => a.name.localeCompare(b.name));
  return (
    <>
      <label>
        Who referred you
        <select name="referredBy" value={value} onChange={onChange} required aria-describedby="referrer-hint">
          <option value="" disabled>
            {people.loading && !people.data ? "Loading your contacts…" : "Choose a contact"}
          </option>
          {choices.map((c) => (
            <option key={c.id} value={c.id}>
              {c.organization ? `${c.name} (${c.organization})` : c.name}
            </option>
          ))}
        </select>
        <span class="hint" id="referrer-hint">
          The referral is recorded on their page too.
        </span>
      </label>
      <ProblemNote problem={people.problem} />
    </>
  );
}

export function AddContact() {
  const [, navigate] = useLocation();
  const prefill = usePrefill();
  const [values, setValues] = useState<Values>(prefill);
  // The values were a starting point: once the student leaves, the next visit starts blank.
  useEffect(() => forgetPrefill, []);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof Values) => (e: { currentTarget: { value: string } }) =>
    setValues((v) => ({ ...v, [k]: e.currentTarget.value }));
  /** A field's name, its value in the form, and how typing in it changes that value. */
  const bound = (k: Field) => ({ name: k, value: values[k], onInput: set(k) });

  const referral = values.howFound === "referral";
  const hasMore = (["title", "careerField", "email", "phone", "linkedinUrl", "tags", "notes"] as const).some((f) => prefill[f]);

  async function submit(event: Event) {
    event.preventDefault();
    const name = values.name.trim();
    if (!name || !values.howFound) return;
    setBusy(true);
    setProblem(null);
    const details = {
      title: blank(values.title),
      organization: blank(values.organization),
      careerField: blank(values.careerField),
    };
    const extra = {
      email: blank(values.email),
      phone: blank(values.phone),
      linkedinUrl: blank(values.linkedinUrl),
      notes: blank(values.notes),
      tags: tagsOf(values.tags),
    };
    const id = newKey();
    const label = `New contact: ${name}`;
    try {
      if (values.howFound === "referral") {
        const from = values.referredBy;
        if (!from) {
          setProblem({ status: 0, title: "Who referred you?", detail: "Pick the contact who suggested this person." });
          return;
        }
        const outcome = await record({
          path: `/api/v1/contacts/${from}/referrals`,
          body: { name, ...details, referredContactId: id },
          contactId: from,
          version: null,
          step: "referral",
          label,
        });
        if (outcome.kind === "problem") {
          setProblem(readable(outcome.problem));
          return;
        }
        // What a referral does not carry (email, phone, …) follows as an edit of the new contact.
        const rest: EditBody = Object.fromEntries(
          Object.entries(extra).filter(([, v]) => (Array.isArray(v) ? v.length > 0 : v !== null)),
        );
        if (Object.keys(rest).length > 0) {
          const edit = { method: "PATCH" as const, path: `/api/v1/contacts/${id}`, body: rest, contactId: id, step: "edit" };
          if (outcome.kind === "queued") {
            await enqueue({ ...edit, key: newKey(), ifMatch: null, label: `Details: ${name}` });
            void flush();
          } else {
            const more = await record({ ...edit, version: null, label: `Details: ${name}` });
            if (more.kind === "problem") {
              // The contact exists: open it, where the details can be edited again.
              navigate(`/contacts/${id}`, { state: { notice: `${name} was added, but not all details: ${more.problem.title}` } });
              return;
            }
          }
        }
        done(outcome.kind, id, name);
        return;
      }
      const outcome = await record({
        path: "/api/v1/contacts",
        body: { name, howFound: values.howFound, ...details, ...extra, contactId: id },
        contactId: null,
        version: null,
        step: "add_contact",
        label,
      });
      if (outcome.kind === "problem") setProblem(readable(outcome.problem));
      else done(outcome.kind, outcome.kind === "sent" ? (outcome.contact?.id ?? id) : id, name);
    } finally {
      setBusy(false);
    }
  }

  function done(kind: "sent" | "queued", id: string, name: string) {
    if (kind === "sent") navigate(`/contacts/${id}`);
    else
      navigate("/contacts", {
        state: { notice: `${name} is saved on this phone and will be sent when you're back online.` },
      });
  }

  return (
    <Layout title="Add a contact">
      <form class="add-form" onSubmit={submit}>
        <label>
          Name
          <input {...bound("name")} required maxLength={200} autoComplete="off" autoCapitalize="words" enterKeyHint="next" />
        </label>
        {prefill.referredBy ? (
          <ReferredBy id={prefill.referredBy} />
        ) : (
          <label>
            How you found them
            <select name="howFound" value={values.howFound} onChange={set("howFound")} required>
              <option value="" disabled>
                Choose one
              </option>
              <Options labels={HOW_FOUND} />
            </select>
          </label>
        )}
        {referral && !prefill.referredBy ? <ReferrerPicker value={values.referredBy} onChange={set("referredBy")} /> : null}
        <label>
          <span>
            Organization <span class="optional">(optional)</span>
          </span>
          <input {...bound("organization")} maxLength={200} autoComplete="off" />
        </label>
        <details open={hasMore || undefined}>
          <summary>More details</summary>
          <div class="more-fields">
            <label>
              Title or role
              <input {...bound("title")} maxLength={200} autoComplete="off" />
            </label>
            <label>
              Career field
              <input {...bound("careerField")} maxLength={200} placeholder="e.g. UX research" autoComplete="off" />
            </label>
            {/* A referral carries name, role, organization and field; the rest follows as an edit. */}
            <label>
              Email
              <input {...bound("email")} type="email" autoComplete="off" />
            </label>
            <label>
              Phone
              <input
                {...bound("phone")}
                type="tel"
                autoComplete="off"
                pattern="[0-9+\(\)\.\/ \-]{3,40}"
                title="Digits, spaces and + ( ) . / - only"
              />
            </label>
            <label>
              LinkedIn URL
              <input
                {...bound("linkedinUrl")}
                type="url"
                placeholder="https://www.linkedin.com/in/…"
                pattern="https?://.+"
                title="A web address starting with https://"
                autoComplete="off"
              />
            </label>
            <label>
              Tags
              <input {...bound("tags")} autoComplete="off" autoCapitalize="none" aria-describedby="tags-hint" />
              <span class="hint" id="tags-hint">
                Separate tags with commas, e.g. alumni, nyc
              </span>
            </label>
            <label>
              Notes
              <textarea {...bound("notes")} maxLength={10000} />
            </label>
          </div>
        </details>
        <ProblemNote problem={problem} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Adding…" : "Add contact"}
          </button>
        </div>
      </form>
    </Layout>
  );
}
