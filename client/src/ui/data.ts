// Reading from the API: one hook for every screen. Offline, the service worker answers with the last
// data read; with nothing kept, the screen says so instead of spinning.
import { useCallback, useEffect, useState } from "preact/hooks";
import { asProblem, type Problem } from "../api/client";
import { onSent } from "../outbox";

export interface Loaded<T> {
  data: T | undefined;
  problem: Problem | null;
  loading: boolean;
  reload: () => void;
}

/** What an API call answers (openapi-fetch): the data, or the error, and the response. */
export type Fetched<T> = { data?: T; error?: unknown; response: Response };

const mounted = new Set<() => void>();

/** Ask every screen on show to load its data again (e.g. once the service worker is in control). */
export function refreshAll(): void {
  for (const reload of mounted) reload();
}

/** Load on mount and whenever `deps` change; again when a queued step has been accepted. */
export function useLoad<T>(load: () => Promise<Fetched<T>>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => onSent(reload), [reload]);
  useEffect(() => {
    mounted.add(reload);
    return () => void mounted.delete(reload);
  }, [reload]);

  useEffect(() => {
    let current = true;
    setLoading(true);
    load()
      .then(({ data: body, error, response }) => {
        if (!current) return;
        if (body !== undefined) {
          setData(body);
          setProblem(null);
        } else setProblem(asProblem(error, response));
      })
      .catch(() => {
        if (!current) return;
        setProblem({
          status: 0,
          title: "You're offline",
          detail: "This hasn't been opened on this device yet, so there is nothing to show until the connection returns.",
        });
      })
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  return { data, problem, loading, reload };
}

/** A value that follows `value` once it has stopped changing for `ms` (e.g. what to load while the student types). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
