// GraphQL for the advisor's screens: a plain POST of operations.graphql to /graphql, naming the
// operation, with the session's CSRF token as every change over REST has. No GraphQL library: the
// types (graphql.ts) are generated from the same operations and the schema by `rapport generate`.
import operations from "./operations.graphql?raw";
import { csrfHeader, type Problem } from "./client";
import type * as G from "./graphql";

export type * from "./graphql";

/** One error of a GraphQL answer: `extensions.code` says which kind (FORBIDDEN_SCOPE, NOT_FOUND…). */
export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [k: string]: unknown };
}

interface Operations {
  Dashboard: [G.DashboardQueryVariables, G.DashboardQuery];
  Advisees: [G.AdviseesQueryVariables, G.AdviseesQuery];
  NeedingAttention: [G.NeedingAttentionQueryVariables, G.NeedingAttentionQuery];
  StudentSummary: [G.StudentSummaryQueryVariables, G.StudentSummaryQuery];
  StudentNotes: [G.StudentNotesQueryVariables, G.StudentNotesQuery];
}

/** What a query answers, as `useLoad` takes it: the data (with the errors of fields left null), or a problem. */
export interface Answer<T> {
  data?: { data: T; errors: GqlError[] };
  error?: Problem;
  response: Response;
}

/** The errors of fields the grant's scope doesn't cover: their values came back null and are never shown. */
export function forbidden(errors: GqlError[]): GqlError[] {
  return errors.filter((e) => e.extensions?.code === "FORBIDDEN_SCOPE");
}

export async function query<N extends keyof Operations>(name: N, variables: Operations[N][0]): Promise<Answer<Operations[N][1]>> {
  const response = await fetch("/graphql", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", ...csrfHeader() },
    body: JSON.stringify({ query: operations, operationName: name, variables }),
  });
  let body: { data?: Operations[N][1] | null; errors?: GqlError[] } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // not JSON: said below from the status
  }
  const errors = body.errors ?? [];
  if (response.ok && body.data) return { data: { data: body.data, errors }, response };
  const first = errors[0];
  return {
    error: {
      status: response.status,
      title: first?.message ?? (response.statusText || "Something went wrong"),
      code: first?.extensions?.code,
    },
    response,
  };
}
