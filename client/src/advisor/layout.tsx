// The shell of every advisor screen: the student's layout with the advisor's tabs. Its own module so
// the screens can use it without importing the advisor's router (advisor.tsx), which imports them.
import { Layout, type Tab } from "../ui/layout";

export const ADVISOR_TABS: readonly Tab[] = [
  { href: "/", label: "Dashboard", icon: "◔" },
  { href: "/students", label: "Students", icon: "☰" },
  { href: "/settings", label: "Settings", icon: "⚙" },
];

/** The advisor's own layout: the same shell as a student's, with the advisor's tabs. */
export function AdvisorLayout(props: { title: string; children: preact.ComponentChildren }) {
  return (
    <Layout title={props.title} tabs={ADVISOR_TABS}>
      <div class="advisor">{props.children}</div>
    </Layout>
  );
}
