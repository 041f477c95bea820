// The contact itself: a note, its details, archive and restore, and erasure (for good).
import { editContact, recordStep, type EditBody } from "../../steps";
import { StepFrame, text, type StepProps } from "./common";

/** Why the contact is put aside or brought back, if the student wants to say. */
function ReasonField() {
  return (
    <label>
      Reason (optional)
      <input name="reason" maxLength={200} autoComplete="off" />
    </label>
  );
}

export function NoteForm(props: StepProps) {
  const { contact } = props.ctx;
  return (
    <StepFrame
      {...props}
      title="Add a note"
      verb="Add note"
      record={(form) => recordStep(contact, "note", { text: text(form, "text") ?? "" }, "Note added")}
      sent={() => ({ message: "Note added." })}
    >
      <label>
        Note
        <textarea name="text" rows={4} required maxLength={10000} />
      </label>
    </StepFrame>
  );
}

export function ArchiveForm(props: StepProps) {
  const { contact } = props.ctx;
  return (
    <StepFrame
      {...props}
      title="Archive this contact"
      verb="Archive"
      intro={<p class="muted">Put this relationship aside. Its history stays, and you can restore it any time.</p>}
      record={(form) => recordStep(contact, "archive", { reason: text(form, "reason") }, "Archived")}
      sent={() => ({ message: `${contact.name} is archived.` })}
    >
      <ReasonField />
    </StepFrame>
  );
}

export function RestoreForm(props: StepProps) {
  const { contact } = props.ctx;
  return (
    <StepFrame
      {...props}
      title="Restore this contact"
      verb="Restore"
      record={(form) => recordStep(contact, "restore", { reason: text(form, "reason") }, "Restored")}
      sent={() => ({ message: `${contact.name} is back in your network.` })}
    >
      <ReasonField />
    </StepFrame>
  );
}

export function EraseForm(props: StepProps) {
  const { contact } = props.ctx;
  return (
    <StepFrame
      {...props}
      title="Erase this person's data"
      verb="Erase"
      danger
      intro={
        <div class="ct-warning">
          <p>
            <strong>This cannot be undone.</strong> {contact.name}'s name, details and every note about them are made
            unrecoverable, here and in backups. Dates, stages and counts remain.
          </p>
        </div>
      }
      record={() => recordStep(contact, "erase", {}, "Erased")}
      sent={() => ({ message: "Erased. Only dates, stages and counts remain." })}
    >
      <label class="check">
        <input type="checkbox" name="confirm" required />
        <span>I understand that {contact.name}'s personal data will be erased for good.</span>
      </label>
    </StepFrame>
  );
}

const EDITABLE = [
  ["name", "Name", "text"],
  ["title", "Role or title", "text"],
  ["organization", "Organization", "text"],
  ["careerField", "Career field", "text"],
  ["email", "Email", "email"],
  ["phone", "Phone", "tel"],
  ["linkedinUrl", "LinkedIn URL", "url"],
] as const;

export function EditForm(props: StepProps) {
  const { contact } = props.ctx;
  return (
    <StepFrame
      {...props}
      title="Edit details"
      verb="Save details"
      record={(form) => {
        // Only what changed is sent; an emptied optional field is sent as "" (which clears it).
        const body: EditBody = {};
        for (const [field] of EDITABLE) {
          const value = String(form.get(field) ?? "").trim();
          if (value !== (contact[field] ?? "")) body[field] = value;
        }
        const notes = String(form.get("notes") ?? "").trim();
        if (notes !== (contact.notes ?? "")) body.notes = notes;
        return editContact(contact, body);
      }}
      sent={() => ({ message: "Details saved." })}
    >
      {EDITABLE.map(([field, label, type]) => (
        <label key={field}>
          {label}
          {field === "name" ? "" : " (optional)"}
          <input
            name={field}
            type={type}
            defaultValue={contact[field] ?? ""}
            required={field === "name"}
            maxLength={field === "linkedinUrl" ? 500 : field === "email" ? 254 : 200}
            autoComplete="off"
          />
        </label>
      ))}
      <label>
        Notes (optional)
        <textarea name="notes" rows={3} maxLength={10000} defaultValue={contact.notes ?? ""} />
      </label>
    </StepFrame>
  );
}
