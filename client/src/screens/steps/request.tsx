// Before the interview: the request (with its drafted email), the follow-up, their answer.
import { useState } from "preact/hooks";
import { recordStep } from "../../steps";
import {
  ChannelField,
  DraftEmail,
  FormatField,
  RadioField,
  StepFrame,
  minutesOf,
  tappedAt,
  text,
  type Channel,
  type Format,
  type StepProps,
} from "./common";

export function RequestForm(props: StepProps) {
  const { contact } = props.ctx;
  const [format, setFormat] = useState<Format>(contact.request?.format ?? "video");
  const [minutes, setMinutes] = useState(20);
  const [message, setMessage] = useState("");
  const [edited, setEdited] = useState(false);
  return (
    <StepFrame
      {...props}
      title="Request an interview"
      verb="Record request"
      intro={
        <p class="muted">
          A short request: who you are, how you heard of them, that you are not asking for a job, and 15–30 minutes.
        </p>
      }
      record={(form) =>
        recordStep(
          contact,
          "request",
          {
            channel: form.get("channel") as Channel,
            format: form.get("format") as Format,
            minutes: minutesOf(form) ?? 20,
            message: text(form, "message"),
            sentAt: tappedAt(contact.id),
          },
          "Request recorded",
        )
      }
      sent={() => ({ message: "Request recorded. Rapport will remind you to follow up if there is no reply." })}
    >
      <FormatField value={format} onChange={setFormat} />
      <label>
        Minutes
        <input
          name="minutes"
          type="number"
          inputMode="numeric"
          min={15}
          max={30}
          step={1}
          value={String(minutes)}
          required
          onChange={(e) => {
            const n = Number((e.currentTarget as HTMLInputElement).value);
            if (n >= 15 && n <= 30) setMinutes(Math.round(n));
          }}
        />
      </label>
      <DraftEmail
        contactId={contact.id}
        kind="request"
        query={{ format, minutes }}
        onDraft={(d) => {
          if (!edited) setMessage(d.body);
        }}
      />
      <ChannelField />
      <label>
        Message you sent (optional)
        <textarea
          name="message"
          rows={6}
          maxLength={10000}
          value={message}
          onInput={(e) => {
            setEdited(true);
            setMessage((e.currentTarget as HTMLTextAreaElement).value);
          }}
        />
      </label>
    </StepFrame>
  );
}

export function FollowUpForm(props: StepProps) {
  const { contact } = props.ctx;
  return (
    <StepFrame
      {...props}
      title="Follow up"
      verb="Record follow-up"
      intro={<p class="muted">A short, polite nudge, about a week after the request.</p>}
      record={(form) =>
        recordStep(contact, "follow_up", { channel: form.get("channel") as Channel, sentAt: tappedAt(contact.id) }, "Follow-up recorded")
      }
      sent={() => ({ message: "Follow-up recorded." })}
    >
      <DraftEmail contactId={contact.id} kind="follow-up" />
      <ChannelField />
    </StepFrame>
  );
}

const ANSWERS = [
  ["accepted", "Accepted"],
  ["declined", "Declined"],
] as const;

export function AnswerForm(props: StepProps) {
  const { contact } = props.ctx;
  return (
    <StepFrame
      {...props}
      title="Record their answer"
      verb="Record answer"
      record={(form) =>
        recordStep(
          contact,
          "answer",
          {
            answer: form.get("answer") === "declined" ? "declined" : "accepted",
            note: text(form, "note"),
            answeredAt: tappedAt(contact.id),
          },
          "Answer recorded",
        )
      }
      sent={(_, form) => ({
        message: form.get("answer") === "declined" ? "Recorded: they declined." : "Recorded: they accepted. Schedule it next.",
      })}
    >
      <RadioField legend="Their answer" name="answer" options={ANSWERS} value="accepted" />
      <label>
        Note (optional)
        <textarea name="note" rows={3} maxLength={10000} />
      </label>
    </StepFrame>
  );
}
