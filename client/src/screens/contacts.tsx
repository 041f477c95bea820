// The network: search, filter, and page through every contact; each row opens the relationship.
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, asProblem, type ContactSummary, type Problem } from "../api/client";
import { day } from "../format";
import { useDebounced, useLoad } from "../ui/data";
import { Layout } from "../ui/layout";
import { localDay } from "../ui/local";
import { Options } from "../ui/options";
import { Empty, ProblemNote } from "../ui/problem";
import "./screens.css";

type Stage = ContactSummary["stage"];
type StageFilter = Stage | "referrer";
type Due = "overdue" | "today" | "upcoming" | "none";

export const STAGE_LABEL: Record<Stage, string> = {
  identified: "Identified",
  requested: "Requested",
  scheduled: "Scheduled",
  interviewed: "Interviewed",
  thanked: "Thanked",
  declined: "Declined",
  no_response: "No response",
  archived: "Archived",
};

const STAGE_FILTERS: { value: StageFilter; label: string }[] = [
  ...(Object.keys(STAGE_LABEL) as Stage[]).map((value) => ({ value, label: STAGE_LABEL[value] })),
  { value: "referrer", label: "Referred someone" },
];

const DUE_LABEL: Record<Due, string> = {
  overdue: "Overdue",
  today: "Due today",
  upcoming: "Coming up",
  none: "Nothing to do",
};

const PAGE = 25;

/** A stage said in words (never by colour alone); exits are drawn apart from the main path. */
export function StageChip({ stage }: { stage: Stage }) {
  return <span class={`chip stage stage-${stage}`}>{STAGE_LABEL[stage]}</span>;
}

/** A filter typed freely, suggesting the values seen so far. */
function SuggestField(props: {
  label: string;
  listId: string;
  value: string;
  onInput: (value: string) => void;
  suggestions: string[];
  placeholder: string;
  autoCapitalize?: JSX.HTMLAttributes<HTMLInputElement>["autoCapitalize"];
}) {
  return (
    <label>
      {props.label}
      <input
        type="text"
        list={props.listId}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        placeholder={props.placeholder}
        autoComplete="off"
        autoCapitalize={props.autoCapitalize}
      />
      <datalist id={props.listId}>
        {props.suggestions.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
    </label>
  );
}

function ContactRow({ contact, today }: { contact: ContactSummary; today: string }) {
  const where = [contact.title, contact.organization].filter(Boolean).join(" · ");
  const overdue = contact.nextDue !== null && contact.nextDue < today;
  return (
    <li class="card contact-row">
      <Link href={`/contacts/${contact.id}`}>
        <span class="contact-head">
          <strong class="contact-name">{contact.name}</strong>
          <StageChip stage={contact.stage} />
        </span>
        {where ? <span class="contact-where">{where}</span> : null}
        {contact.referrer || contact.careerField || contact.tags.length ? (
          <span class="contact-meta">
            {[contact.careerField, contact.referrer ? "Referred someone" : null, ...contact.tags.map((t) => `#${t}`)]
              .filter(Boolean)
              .join(" · ")}
          </span>
        ) : null}
        {contact.nextAction ? (
          <span class={overdue ? "contact-next overdue" : "contact-next"}>
            {contact.nextDue ? (
              <strong class="contact-due">{overdue
                  ? `Overdue, was due ${day(contact.nextDue)}`
                  : contact.nextDue === today
                    ? "Due today"
                    : `Due ${day(contact.nextDue)}`}</strong>
            ) : null}
            <span>{contact.nextAction}</span>
          </span>
        ) : null}
      </Link>
    </li>
  );
}

/** Read (once) a notice another screen left in the history entry, e.g. "saved on this phone". */
function useNotice(): string | null {
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    const state: unknown = history.state;
    const text = state && typeof state === "object" && "notice" in state ? String(state.notice) : null;
    // Set after mounting, so the live region already exists and announces it.
    if (text) setTimeout(() => setNotice(text), 50);
  }, []);
  return notice;
}

export function Contacts() {
  const [q, setQ] = useState("");
  const [stages, setStages] = useState<StageFilter[]>([]);
  const [field, setField] = useState("");
  const [tag, setTag] = useState("");
  const [due, setDue] = useState<Due | "">("");
  const notice = useNotice();

  const query = {
    q: useDebounced(q.trim(), 300) || undefined,
    field: useDebounced(field.trim(), 300) || undefined,
    tag: useDebounced(tag.trim().toLowerCase(), 300) || undefined,
    stage: stages.length ? stages : undefined,
    due: due || undefined,
    limit: PAGE,
  };
  const key = JSON.stringify(query);
  const first = useLoad(() => api.GET("/api/v1/contacts", { params: { query } }), [key]);

  // Pages after the first, appended as the student scrolls; a new first page starts over.
  const [more, setMore] = useState<ContactSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreProblem, setMoreProblem] = useState<Problem | null>(null);
  useEffect(() => {
    setMore([]);
    setMoreProblem(null);
    setCursor(first.data?.nextCursor ?? null);
  }, [first.data]);

  // Field and tag suggestions: every value seen so far, so filtering never narrows the choices.
  const [seen, setSeen] = useState<{ fields: string[]; tags: string[] }>({ fields: [], tags: [] });
  const items = first.data ? [...first.data.items, ...more] : [];
  useEffect(() => {
    const fields = new Set(seen.fields);
    const tags = new Set(seen.tags);
    for (const c of items) {
      if (c.careerField) fields.add(c.careerField);
      for (const t of c.tags) tags.add(t);
    }
    if (fields.size !== seen.fields.length || tags.size !== seen.tags.length) {
      setSeen({ fields: [...fields].sort(), tags: [...tags].sort() });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [first.data, more]);

  const busy = useRef(false);
  async function loadMore() {
    if (!cursor || busy.current) return;
    busy.current = true;
    setLoadingMore(true);
    try {
      const { data, error, response } = await api.GET("/api/v1/contacts", { params: { query: { ...query, cursor } } });
      if (data) {
        setMore((m) => [...m, ...data.items.filter((c) => !m.some((o) => o.id === c.id))]);
        setCursor(data.nextCursor);
        setMoreProblem(null);
      } else setMoreProblem(asProblem(error, response));
    } catch {
      setMoreProblem(asProblem(null));
    } finally {
      busy.current = false;
      setLoadingMore(false);
    }
  }

  // More on scroll: a sentinel below the list loads the next page as it comes into view.
  const sentinel = useRef<HTMLDivElement>(null);
  const loadMoreRef = useRef(loadMore);
  loadMoreRef.current = loadMore;
  useEffect(() => {
    const node = sentinel.current;
    if (!node || !cursor || moreProblem || !("IntersectionObserver" in window)) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMoreRef.current();
    }, { rootMargin: "300px 0px" });
    observer.observe(node);
    return () => observer.disconnect();
  }, [cursor, moreProblem]);

  const filtered = Boolean(q.trim() || field.trim() || tag.trim() || stages.length || due);
  const filterCount = (field.trim() ? 1 : 0) + (tag.trim() ? 1 : 0) + (due ? 1 : 0) + (stages.length ? 1 : 0);
  function clear() {
    setQ("");
    setStages([]);
    setField("");
    setTag("");
    setDue("");
  }
  function toggle(stage: StageFilter, on: boolean) {
    setStages((s) => (on ? [...s, stage] : s.filter((x) => x !== stage)));
  }

  const today = localDay(new Date());
  const loaded = first.data !== undefined;
  const status = !loaded
    ? ""
    : items.length === 0
      ? filtered
        ? "No contacts match."
        : "No contacts yet."
      : `${items.length} contact${items.length === 1 ? "" : "s"} shown${cursor ? ", more below" : ""}.`;

  return (
    <Layout
      title="Contacts"
      actions={
        <Link class="button" href="/add">
          Add contact
        </Link>
      }
    >
      <p class="notice" role="status">
        {notice}
      </p>
      <form class="contact-filters" role="search" aria-label="Search and filter contacts" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search contacts
          <input
            type="search"
            value={q}
            onInput={(e) => setQ(e.currentTarget.value)}
            placeholder="Name, organization, field, notes…"
            autoComplete="off"
            enterKeyHint="search"
          />
        </label>
        <details class="filters">
          <summary>
            Filters{filterCount ? <span class="count"> ({filterCount} on)</span> : null}
          </summary>
          <div class="filters-body">
            <fieldset class="chips">
              <legend>Stage</legend>
              {STAGE_FILTERS.map((s) => (
                <label key={s.value} class="chip-check">
                  <input
                    type="checkbox"
                    checked={stages.includes(s.value)}
                    onChange={(e) => toggle(s.value, e.currentTarget.checked)}
                  />
                  <span>{s.label}</span>
                </label>
              ))}
            </fieldset>
            <SuggestField
              label="Career field"
              listId="contact-fields"
              value={field}
              onInput={setField}
              suggestions={seen.fields}
              placeholder="Any field"
            />
            <SuggestField
              label="Tag"
              listId="contact-tags"
              value={tag}
              onInput={setTag}
              suggestions={seen.tags}
              placeholder="Any tag"
              autoCapitalize="none"
            />
            <label>
              Next step
              <select value={due} onChange={(e) => setDue(e.currentTarget.value as Due | "")}>
                <option value="">Any time</option>
                <Options labels={DUE_LABEL} />
              </select>
            </label>
          </div>
        </details>
        {filtered ? (
          <button type="button" class="secondary" onClick={clear}>
            Clear filters
          </button>
        ) : null}
      </form>

      <p class="vh" role="status" aria-live="polite">
        {first.loading ? "" : status}
      </p>
      <ProblemNote problem={first.problem} />
      {first.loading && !loaded ? <p aria-busy="true">Loading…</p> : null}

      {loaded && items.length > 0 ? (
        <ul class="list contact-list" aria-label="Contacts" aria-busy={first.loading ? "true" : undefined}>
          {items.map((c) => (
            <ContactRow key={c.id} contact={c} today={today} />
          ))}
        </ul>
      ) : null}

      {loaded && items.length === 0 && !first.loading ? (
        filtered ? (
          <Empty title="No contacts match these filters.">
            <p>Try other words, or fewer filters.</p>
            <button type="button" class="secondary" onClick={clear}>
              Clear filters
            </button>
          </Empty>
        ) : (
          <Empty title="No contacts yet.">
            <p>Start with someone whose job interests you: a professor, an alum, a speaker you heard.</p>
            <Link class="button" href="/add">
              Add your first contact
            </Link>
          </Empty>
        )
      ) : null}

      <ProblemNote problem={moreProblem} />
      {loaded && cursor ? (
        <div class="more" ref={sentinel}>
          <button type="button" class="secondary" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? "Loading more…" : "Show more"}
          </button>
        </div>
      ) : null}
      {loaded && !cursor && items.length > PAGE ? <p class="muted end">That's everyone.</p> : null}
    </Layout>
  );
}
