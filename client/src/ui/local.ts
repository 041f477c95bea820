// Where and when this phone is: its time zone, and a moment as a day on its calendar.

export function phoneTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** A moment as a calendar day on this phone (YYYY-MM-DD), e.g. to tell an overdue step from a coming one. */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
