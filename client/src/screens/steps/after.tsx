// After the interview: the thank-you, the referral, promises kept, reflection, staying in touch.
import { useState } from "preact/hooks";
import { newKey } from "../../api/client";
import { day } from "../../format";
import { recordStep } from "../../steps";
import { useDebounced } from "../../ui/data";
import { localDay } from "../../ui/local";
import { ChannelField, DraftEmail, StepFrame, tappedAt, text, type Channel, type StepProps } from "./common";

export function ThanksForm(props: StepProps) {
  const { contact } = props.ctx;
  const [helpful, setHelpful] = useState("");
  // What helped, once the student stopped typing for a moment: the draft is asked for it then.
  const settled = useDebounced(helpful.trim(), 600).slice(0, 500);
  return (
    <StepFrame
      {...props}
      title="Send thanks"
      verb="Record thanks"
      intro={<p class="muted">A short, personal note within a business day or two, naming one specific thing that helped.</p>}
      record={(form) =>
        recordStep(
          contact,
          "thanks",
          {
            helpfulThing: text(form, "helpfulThing") ?? "",
            channel: form.get("channel") as Channel,
            sentAt: tappedAt(contact.id),
          },
          "Thank-you recorded",
        )
      }
      sent={() => ({ message: "Thank-you recorded." })}
    >
      <label>
        What specifically helped
        <textarea
          name="helpfulThing"
          rows={3}
          required
          maxLength={500}
          value={helpful}
          onInput={(e) => setHelpful((e.currentTarget as HTMLTextAreaElement).value)}
        />
      </label>
      {settled ? (
        <DraftEmail contactId={contact.id} kind="thanks" query={{ helpfulThing: settled }} />
      ) : (
        <p class="muted">Say what helped, and Rapport drafts the email around it.</p>
      )}
      <ChannelField />
    </StepFrame>
  );
}

export function ReferralForm(props: StepProps) {
  const { contact } = props.ctx;
  return (
    <StepFrame
      {...props}
      title="Record a referral"
      verb="Record referral"
      intro={<p class="muted">Someone {contact.name} suggested you talk to: they are added to your contacts.</p>}
      record={(form) => {
        // The new contact's id is chosen here, so it can be linked to even before the server has it.
        const referredContactId = newKey();
        form.set("referredContactId", referredContactId);
        return recordStep(
          contact,
          "referral",
          {
            referredContactId,
            name: text(form, "name") ?? "",
            title: text(form, "title"),
            organization: text(form, "organization"),
            careerField: text(form, "careerField"),
            receivedAt: tappedAt(contact.id),
          },
          "Referral recorded",
        );
      }}
      sent={(outcome, form) => {
        const location = outcome.response.headers.get("Location") ?? "";
        const id = /\/contacts\/([0-9a-f-]{36})$/.exec(location)?.[1] ?? String(form.get("referredContactId"));
        const name = text(form, "name") ?? "them";
        return {
          message: `${name} was added to your contacts, referred by ${contact.name}.`,
          links: [{ href: `/contacts/${id}`, text: `Open ${name}`, internal: true }],
        };
      }}
    >
      <label>
        Name
        <input name="name" required maxLength={200} autoComplete="off" />
      </label>
      <label>
        Role or title (optional)
        <input name="title" maxLength={200} autoComplete="off" />
      </label>
      <label>
        Organization (optional)
        <input name="organization" maxLength={200} autoComplete="off" />
      </label>
      <label>
        Career field (optional)
        <input name="careerField" maxLength={200} autoComplete="off" placeholder={contact.careerField ?? undefined} />
      </label>
    </StepFrame>
  );
}

export function ActionItemForm(props: StepProps) {
  const { contact } = props.ctx;
  const inAWeek = localDay(new Date(Date.now() + 7 * 86_400_000));
  return (
    <StepFrame
      {...props}
      title="Add an action item"
      verb="Add action item"
      intro={<p class="muted">Something you promised: join a society, read a book, send an article, connect online.</p>}
      record={(form) =>
        recordStep(
          contact,
          "action_item",
          { itemId: newKey(), what: text(form, "what") ?? "", due: String(form.get("due")) },
          "Action item added",
        )
      }
      sent={(_, form) => ({ message: `Action item added, due ${day(String(form.get("due")))}.` })}
    >
      <label>
        What you promised
        <input name="what" required maxLength={200} autoComplete="off" />
      </label>
      <label>
        Due
        <input name="due" type="date" required defaultValue={inAWeek} />
      </label>
    </StepFrame>
  );
}

export function CompleteActionItemForm(props: StepProps) {
  const { contact, openItems } = props.ctx;
  const chosen = openItems.some((item) => item.id === props.target) ? props.target : openItems[0]?.id;
  return (
    <StepFrame
      {...props}
      title="Mark an action item done"
      verb="Mark done"
      ready={openItems.length > 0}
      record={(form) =>
        recordStep(
          contact,
          "complete_action_item",
          { itemId: String(form.get("itemId")), completedAt: tappedAt(contact.id) },
          "Action item done",
        )
      }
      sent={() => ({ message: `Done. Let ${contact.name} know: it is a good reason to stay in touch.` })}
    >
      {openItems.length === 0 ? (
        <p class="muted">No action item is open.</p>
      ) : (
        <fieldset>
          <legend>Which one is done?</legend>
          {openItems.map((item) => (
            <label key={item.id} class="check">
              <input type="radio" name="itemId" value={item.id} defaultChecked={item.id === chosen} required />
              <span>
                {item.what} <small>due {day(item.due)}</small>
              </span>
            </label>
          ))}
        </fieldset>
      )}
    </StepFrame>
  );
}

export function ReflectionForm(props: StepProps) {
  const { contact } = props.ctx;
  return (
    <StepFrame
      {...props}
      title="Reflect"
      verb="Record reflection"
      record={(form) =>
        recordStep(
          contact,
          "reflection",
          { learned: text(form, "learned") ?? "", nextSteps: text(form, "nextSteps") },
          "Reflection recorded",
        )
      }
      sent={() => ({ message: "Reflection recorded." })}
    >
      <label>
        What you learned
        <textarea name="learned" rows={4} required maxLength={10000} />
      </label>
      <label>
        Next steps (optional)
        <textarea name="nextSteps" rows={3} maxLength={10000} />
      </label>
    </StepFrame>
  );
}

export function KeepInTouchForm(props: StepProps) {
  const { contact } = props.ctx;
  return (
    <StepFrame
      {...props}
      title="Stay in touch"
      verb="Record update"
      intro={<p class="muted">Tell them what you did with their advice, or share something they would like.</p>}
      record={(form) =>
        recordStep(contact, "keep_in_touch", { shared: text(form, "shared"), sentAt: tappedAt(contact.id) }, "Update recorded")
      }
      sent={() => ({ message: "Update recorded." })}
    >
      <label>
        What you shared
        <textarea name="shared" rows={4} maxLength={10000} />
      </label>
    </StepFrame>
  );
}
