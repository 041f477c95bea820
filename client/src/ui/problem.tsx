import type { Problem } from "../api/client";

/** A problem from the server, said plainly, next to what caused it. */
export function ProblemNote({ problem }: { problem: Problem | null }) {
  if (!problem) return null;
  // Litestar names each invalid field in `extra` (RFC 9457 allows extension members).
  const listed = problem["extra"] ?? problem["errors"];
  const errors = Array.isArray(listed) ? (listed as { message?: string; key?: string }[]) : [];
  return (
    <div class="problem" role="alert">
      <strong>{problem.title}</strong>
      {problem.detail ? <p>{problem.detail}</p> : null}
      {errors.length > 0 ? (
        <ul>
          {errors.map((e, i) => (
            <li key={i}>{[e.key, e.message].filter(Boolean).join(": ")}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** A helpful empty state: what is missing, and the one thing to do about it. */
export function Empty({ title, children }: { title: string; children?: preact.ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children}
    </div>
  );
}
