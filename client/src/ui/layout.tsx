import type { ComponentChildren } from "preact";
import { Link, useLocation } from "wouter-preact";
import { PendingBar } from "./pending";

export type Tab = { href: string; label: string; icon: string };

const TABS: readonly Tab[] = [
  { href: "/", label: "Today", icon: "☀" },
  { href: "/contacts", label: "Contacts", icon: "☰" },
  { href: "/add", label: "Add", icon: "+" },
  { href: "/insights", label: "Insights", icon: "◔" },
  { href: "/settings", label: "Settings", icon: "⚙" },
] as const;

function active(location: string, href: string): boolean {
  return href === "/" ? location === "/" : location === href || location.startsWith(`${href}/`);
}

/** Every signed-in screen: a heading, what is waiting to be sent, the screen, the tab bar. */
export function Layout({
  title,
  actions,
  children,
  tabs = TABS,
}: {
  title: string;
  actions?: ComponentChildren;
  children: ComponentChildren;
  /** The tab bar's tabs: a student's unless given (an advisor has their own). */
  tabs?: readonly Tab[];
}) {
  const [location] = useLocation();
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <h1>{title}</h1>
        {actions}
      </header>
      <PendingBar />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <nav class="tabs" aria-label="Main">
        {tabs.map((tab) => (
          <Link key={tab.href} href={tab.href} aria-current={active(location, tab.href) ? "page" : undefined}>
            <span aria-hidden="true" class="tab-icon">
              {tab.icon}
            </span>
            <span>{tab.label}</span>
          </Link>
        ))}
      </nav>
    </>
  );
}

/** A titled part of a screen (Settings' parts): the section is named by its heading. */
export function Section({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
