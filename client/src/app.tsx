import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Redirect, Route, Router, Switch, useLocation } from "wouter-preact";
import { useHashLocation } from "wouter-preact/use-hash-location";
import type { BaseLocationHook } from "wouter-preact";
import { AdvisorSignUp, SignIn, SignUp } from "./screens/auth";
import { AddContact } from "./screens/add-contact";
import { ContactScreen } from "./screens/contact";
import { Contacts } from "./screens/contacts";
import { Insights } from "./screens/insights";
import { Settings } from "./screens/settings";
import { Today } from "./screens/today";
import { session } from "./session";

/** Move focus to the new screen's heading region, so screen readers hear where they are. */
function FocusOnNavigate() {
  const [location] = useLocation();
  useEffect(() => {
    document.getElementById("main")?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [location]);
  return null;
}

/** A contact, a step's form on it, and what the step is about (e.g. which action item). */
type ContactParams = { id: string; step?: string; target?: string };

function SignedIn() {
  return (
    <Switch>
      <Route path="/" component={Today} />
      <Route path="/contacts" component={Contacts} />
      <Route<ContactParams> path="/contacts/:id/:step?/:target?">
        {(params) => <ContactScreen id={params.id} step={params.step ?? null} target={params.target ?? null} />}
      </Route>
      <Route path="/add" component={AddContact} />
      <Route path="/insights" component={Insights} />
      <Route path="/settings" component={Settings} />
      <Route path="/sign-in">
        <Redirect to="/" />
      </Route>
      <Route path="/sign-up">
        <Redirect to="/" />
      </Route>
      <Route>
        <Redirect to="/" />
      </Route>
    </Switch>
  );
}

/** An advisor's screens, loaded only for an advisor: a student's phone never downloads them. */
function Advisor() {
  const [screens, setScreens] = useState<ComponentType | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import("./advisor/advisor")
      .then((m) => setScreens(() => m.AdvisorApp))
      .catch(() => setFailed(true));
  }, []);
  if (failed) return <p class="splash">Rapport could not load: check your connection and reload.</p>;
  const Screens = screens;
  return Screens ? <Screens /> : <p aria-busy="true" class="splash">Rapport</p>;
}

function SignedOut() {
  return (
    <Switch>
      <Route path="/sign-up" component={SignUp} />
      <Route path="/advisor-sign-up" component={AdvisorSignUp} />
      <Route path="/sign-in" component={SignIn} />
      <Route>
        <Redirect to="/sign-in" />
      </Route>
    </Switch>
  );
}

/** The hash's path without its query, so a typed or shared #/add?organization=Acme is routed to Add
 * (which reads the query itself); wouter's hash location keeps the query in the path. */
const useHashPath: BaseLocationHook & { hrefs?: (href: string) => string } = () => {
  const [location, navigate] = useHashLocation();
  const query = location.indexOf("?");
  return [query >= 0 ? location.slice(0, query) : location, navigate];
};
useHashPath.hrefs = (href) => `#${href}`; // Links' href attributes, as useHashLocation writes them

// Hash routes (#/contacts/…): every screen is the one app-shell URL, so the service worker serves it
// offline as is and the server needs no fallback route for client paths.
export function App() {
  const who = session.value;
  return (
    <Router hook={useHashPath}>
      <FocusOnNavigate />
      {who === undefined ? <p aria-busy="true" class="splash">Rapport</p> : who ? who.role === "advisor" ? <Advisor /> : <SignedIn /> : <SignedOut />}
    </Router>
  );
}
