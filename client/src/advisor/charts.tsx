// The advisor's own charts (the student's app never loads them); the shared parts are in ui/charts.
import { words } from "../format";
import { Numbers, plural } from "../ui/charts";

/** Contacts by stage as horizontal bars, in lifecycle order. */
export function FunnelChart({ id, stages }: { id: string; stages: { stage: string; contacts: number }[] }) {
  const rows = stages.map((s) => ({ key: s.stage, label: words(s.stage), n: s.contacts }));
  const total = rows.reduce((n, r) => n + r.n, 0);
  const max = Math.max(1, ...rows.map((r) => r.n));
  const W = 320;
  const row = 22;
  const label = 96;
  const H = rows.length * row;
  const summary =
    total === 0
      ? "No contacts yet at any stage."
      : `Contacts by stage, ${plural(total, "contact")} in all: ` + rows.map((r) => `${r.label} ${r.n}`).join(", ") + ".";
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${Math.max(H, row)}`} role="img" aria-labelledby={`${id}-summary`}>
        {rows.map((r, i) => {
          const w = ((W - label - 30) * r.n) / max;
          const y = i * row;
          return (
            <g key={r.key}>
              <text x="0" y={y + 15}>
                {r.label}
              </text>
              <rect x={label} y={y + 4} width={Math.max(w, r.n ? 2 : 0)} height={row - 8} rx="2" fill="currentColor" />
              <text x={label + w + 4} y={y + 15} class="peak">
                {r.n}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption class="muted" id={`${id}-summary`}>
        {summary}
      </figcaption>
      <Numbers caption="Contacts per stage" head={["Stage", "Contacts"]} rows={rows} />
    </figure>
  );
}
