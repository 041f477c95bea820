// Small charts drawn by hand in SVG, each with its text alternative: a one-line summary that the
// chart is labelled by, and the numbers in a table a tap away; and the figure cards shown beside them.
// Shared by the student's Insights and the advisor's screens.
import { day } from "../format";

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function shortDay(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y!, m! - 1, d!).toLocaleDateString(undefined, { month: "short", day: "numeric" });
}

export function Numbers({ caption, head, rows }: { caption: string; head: [string, string]; rows: { key: string; label: string; n: number }[] }) {
  return (
    <details>
      <summary>Show the numbers</summary>
      <table>
        <caption class="vh">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{head[0]}</th>
            <th scope="col">{head[1]}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.label}</td>
              <td>{r.n}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** A number with its label and an optional note; "–" is read out as "none yet". */
export function Figure({ label, value, note }: { label: string; value: string; note?: string | undefined }) {
  // <dt> comes first for screen readers; CSS shows the number above its label and note.
  return (
    <div class="figure">
      <dt>{label}</dt>
      <dd class="value">
        {value === "–" ? (
          <>
            <span aria-hidden="true">–</span>
            <span class="vh">none yet</span>
          </>
        ) : (
          value
        )}
      </dd>
      {note ? <dd class="note">{note}</dd> : null}
    </div>
  );
}

/** Steps recorded per week, oldest first, as vertical bars. */
export function WeeklyChart({ id, weeks, what }: { id: string; weeks: { week: string; events: number }[]; what: string }) {
  if (weeks.length === 0) return <p class="muted">No weeks to show yet.</p>;
  const max = Math.max(1, ...weeks.map((w) => w.events));
  const total = weeks.reduce((n, w) => n + w.events, 0);
  const peak = weeks.reduce((a, b) => (b.events > a.events ? b : a));
  const last = weeks[weeks.length - 1]!;
  const W = 320;
  const H = 130;
  const top = 16;
  const bottom = 20;
  const gap = 4;
  const bar = (W - gap * (weeks.length - 1)) / weeks.length;
  const height = (n: number) => ((H - top - bottom) * n) / max;
  const summary =
    `${what}, ${plural(weeks.length, "week")} from ${shortDay(weeks[0]!.week)} to ${shortDay(last.week)}: ` +
    `${plural(total, "step")} in all, most in the week of ${shortDay(peak.week)} (${peak.events}), ${last.events} this week.`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-summary`}>
        <line class="axis" x1="0" x2={W} y1={H - bottom + 0.5} y2={H - bottom + 0.5} />
        {weeks.map((w, i) => {
          const h = height(w.events);
          const x = i * (bar + gap);
          return (
            <g key={w.week}>
              <rect x={x} y={H - bottom - h} width={bar} height={Math.max(h, w.events ? 1 : 0)} rx="2" fill="currentColor" />
              {w === peak && w.events > 0 ? (
                <text x={x + bar / 2} y={H - bottom - h - 4} text-anchor="middle" class="peak">
                  {w.events}
                </text>
              ) : null}
            </g>
          );
        })}
        <text x="0" y={H - 5}>
          {shortDay(weeks[0]!.week)}
        </text>
        <text x={W} y={H - 5} text-anchor="end">
          {shortDay(last.week)}
        </text>
      </svg>
      <figcaption class="muted" id={`${id}-summary`}>
        {summary}
      </figcaption>
      <Numbers
        caption="Steps recorded per week"
        head={["Week of", "Steps"]}
        rows={weeks.map((w) => ({ key: w.week, label: day(w.week), n: w.events }))}
      />
    </figure>
  );
}
