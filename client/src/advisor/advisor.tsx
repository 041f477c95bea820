// An advisor's screens (loaded only for an advisor): the dashboard, the students, each student's page,
// and settings. Reads go through GraphQL (api/gql.ts); invite codes through REST.
import { Redirect, Route, Switch } from "wouter-preact";
import { session } from "../session";
import { Section } from "../ui/layout";
import { SignOut } from "../screens/settings";
import { Dashboard, Students } from "./dashboard";
import { InviteCodes } from "./invite-codes";
import { AdvisorLayout } from "./layout";
import { StudentPage } from "./student";
import "../screens/screens.css";
import "./advisor.css";

function AdvisorSettings() {
  return (
    <AdvisorLayout title="Settings">
      <div class="settings">
        <Section id="h-account-info" title="Your account">
          <p>
            Signed in as an advisor: <span class="mono">{session.value?.email}</span>
          </p>
        </Section>
        <Section id="h-invite" title="Invite codes">
          <InviteCodes />
        </Section>
        <Section id="h-account" title="Sign out">
          <SignOut />
        </Section>
      </div>
    </AdvisorLayout>
  );
}

export function AdvisorApp() {
  return (
    <Switch>
      <Route path="/" component={Dashboard} />
      <Route path="/students" component={Students} />
      <Route path="/students/:id">{(params) => <StudentPage id={params.id} />}</Route>
      <Route path="/settings" component={AdvisorSettings} />
      <Route>
        <Redirect to="/" />
      </Route>
    </Switch>
  );
}
