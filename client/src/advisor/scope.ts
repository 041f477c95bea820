// What a student's grant lets the advisor see, in the advisor's words (the student picks it in
// Settings → Advisor access, which words it from their side: screens/advisor-access.tsx).
export const SCOPE_LABEL: Record<string, string> = {
  summary: "Counts only",
  notes: "Names and notes",
};
