import { Link } from "wouter-preact";
import { api, type Schemas } from "../api/client";
import { day } from "../format";
import { useLoad } from "../ui/data";
import { Layout } from "../ui/layout";
import { Empty, ProblemNote } from "../ui/problem";

type Item = Schemas["AgendaItemView"];

/** Which step screen each kind of agenda item opens: the action is one tap away. */
const ACTION: Record<string, { step: string; verb: string }> = {
  follow_up: { step: "follow_up", verb: "Follow up" },
  reach_out_same_org: { step: "", verb: "Find someone else there" },
  prepare: { step: "", verb: "Prepare" },
  send_thanks: { step: "thanks", verb: "Send thanks" },
  log_referral: { step: "referral", verb: "Log referral" },
  contact_referral: { step: "request", verb: "Reach out" },
  action_item: { step: "complete_action_item", verb: "Mark done" },
  keep_in_touch: { step: "keep_in_touch", verb: "Stay in touch" },
};

export function actionHref(item: Item): string {
  if (item.kind === "reach_out_same_org" && item.organization) {
    return `/add?${new URLSearchParams({ organization: item.organization })}`;
  }
  const action = ACTION[item.kind];
  if (!action?.step) return `/contacts/${item.contactId}`;
  // The item to mark done is named, so its form opens with that one chosen.
  const target = item.kind === "action_item" && item.ref ? `/${item.ref}` : "";
  return `/contacts/${item.contactId}/${action.step}${target}`;
}

function AgendaItem({ item }: { item: Item }) {
  const action = ACTION[item.kind] ?? { step: "", verb: "Open" };
  return (
    <li class={`card agenda-item ${item.bucket}`}>
      <Link href={actionHref(item)} class="agenda-link">
        <strong class="agenda-who">{item.contactName}</strong>
        <small class="agenda-due">{item.bucket === "overdue" ? `was due ${day(item.due)}` : day(item.due)}</small>
        <span class="agenda-why">{item.reason}</span>
        <span class="verb">{action.verb} →</span>
      </Link>
    </li>
  );
}

function Bucket({ title, items, count }: { title: string; items: Item[]; count: number }) {
  if (items.length === 0) return null;
  return (
    <section aria-labelledby={`h-${title}`}>
      <h2 id={`h-${title}`}>
        {title} <span class="count">{count}</span>
      </h2>
      <ul class="list">
        {items.map((item) => (
          <AgendaItem key={item.key} item={item} />
        ))}
      </ul>
      {count > items.length ? <p class="muted">and {count - items.length} more</p> : null}
    </section>
  );
}

export function Today() {
  const agenda = useLoad(() => api.GET("/api/v1/agenda"), []);
  const a = agenda.data;
  const nothing = a && a.overdue.length + a.today.length + a.upcoming.length === 0;
  return (
    <Layout title="Today">
      {a ? <p class="muted">{day(a.date)}</p> : null}
      <ProblemNote problem={agenda.problem} />
      {agenda.loading && !a ? <p aria-busy="true">Loading…</p> : null}
      {a ? (
        <>
          <Bucket title="Overdue" items={a.overdue} count={a.counts.overdue} />
          <Bucket title="Today" items={a.today} count={a.counts.today} />
          <Bucket title="Upcoming" items={a.upcoming} count={a.counts.upcoming} />
        </>
      ) : null}
      {nothing ? (
        <Empty title="Nothing to do today.">
          <p>Add someone whose job interests you, and Rapport will tell you what to do next.</p>
          <Link class="button" href="/add">
            Add a contact
          </Link>
        </Empty>
      ) : null}
    </Layout>
  );
}
