// The interview itself: schedule it, move or cancel it, and the notes right after it.
import { api, newKey } from "../../api/client";
import { fromLocalInput, moment } from "../../format";
import { recordStep } from "../../steps";
import { useLoad } from "../../ui/data";
import {
  FormatField,
  MinutesField,
  RadioField,
  StepFrame,
  formatWords,
  lines,
  minutesOf,
  tappedAt,
  text,
  type Format,
  type StepProps,
  type Upcoming,
} from "./common";

export function calendarHref(interviewId: string): string {
  return `/api/v1/interviews/${interviewId}/calendar`;
}

function describe(i: Upcoming): string {
  return `${moment(i.startsAt)}, ${formatWords(i.format).toLowerCase()}, ${i.minutes} min${i.queued ? " (waiting to be sent)" : ""}`;
}

/** Which upcoming interview: said plainly when there is one, a choice when there are several. */
function InterviewPick({ upcoming }: { upcoming: Upcoming[] }) {
  if (upcoming.length === 0) return <p class="muted">No interview with this contact is scheduled.</p>;
  if (upcoming.length === 1) {
    return (
      <p>
        <input type="hidden" name="interviewId" value={upcoming[0]!.id} />
        <strong>Interview:</strong> {describe(upcoming[0]!)}
      </p>
    );
  }
  return (
    <label>
      Interview
      <select name="interviewId" required>
        {upcoming.map((i) => (
          <option key={i.id} value={i.id}>
            {describe(i)}
          </option>
        ))}
      </select>
    </label>
  );
}

const PARTIES = [
  ["contact", "They did"],
  ["student", "I did"],
] as const;

function PartyField({ legend }: { legend: string }) {
  return <RadioField legend={legend} name="by" options={PARTIES} value="contact" />;
}

export function ScheduleForm(props: StepProps) {
  const { contact } = props.ctx;
  return (
    <StepFrame
      {...props}
      title="Schedule the interview"
      verb="Schedule"
      record={(form) => {
        // The id is chosen here, so a step queued after this one (offline) can name this interview.
        const interviewId = newKey();
        form.set("interviewId", interviewId);
        return recordStep(
          contact,
          "schedule",
          {
            interviewId,
            startsAt: fromLocalInput(String(form.get("startsAt"))),
            minutes: minutesOf(form) ?? 30,
            format: form.get("format") as Format,
            place: text(form, "place"),
          },
          "Interview scheduled",
        );
      }}
      sent={(outcome, form) => {
        const location = outcome.response.headers.get("Location") ?? "";
        const id = /\/interviews\/([0-9a-f-]{36})/.exec(location)?.[1] ?? String(form.get("interviewId"));
        return {
          message: `Interview scheduled for ${moment(fromLocalInput(String(form.get("startsAt"))))}.`,
          links: [{ href: calendarHref(id), text: "Add to calendar", download: true }],
        };
      }}
    >
      <label>
        Starts at
        <input name="startsAt" type="datetime-local" required />
      </label>
      <MinutesField value={contact.request?.minutes ?? 30} />
      <FormatField value={contact.request?.format ?? "video"} />
      <label>
        Place or link (optional)
        <input name="place" maxLength={200} autoComplete="off" />
      </label>
    </StepFrame>
  );
}

export function RescheduleForm(props: StepProps) {
  const { contact, upcoming } = props.ctx;
  return (
    <StepFrame
      {...props}
      title="Reschedule the interview"
      verb="Reschedule"
      ready={upcoming.length > 0}
      record={(form) =>
        recordStep(
          contact,
          "reschedule",
          {
            interviewId: String(form.get("interviewId")),
            startsAt: fromLocalInput(String(form.get("startsAt"))),
            minutes: minutesOf(form) ?? null,
            by: form.get("by") === "student" ? "student" : "contact",
          },
          "Interview rescheduled",
        )
      }
      sent={(_, form) => ({
        message: `Interview moved to ${moment(fromLocalInput(String(form.get("startsAt"))))}.`,
        links: [{ href: calendarHref(String(form.get("interviewId"))), text: "Add to calendar", download: true }],
      })}
    >
      <InterviewPick upcoming={upcoming} />
      <label>
        New time
        <input name="startsAt" type="datetime-local" required />
      </label>
      <MinutesField value={upcoming[0]?.minutes ?? ""} required={false} />
      <PartyField legend="Who asked to move it?" />
    </StepFrame>
  );
}

export function CancelForm(props: StepProps) {
  const { contact, upcoming } = props.ctx;
  return (
    <StepFrame
      {...props}
      title="Cancel the interview"
      verb="Cancel interview"
      danger
      ready={upcoming.length > 0}
      record={(form) =>
        recordStep(
          contact,
          "cancel",
          {
            interviewId: String(form.get("interviewId")),
            reason: text(form, "reason"),
            by: form.get("by") === "student" ? "student" : "contact",
          },
          "Interview cancelled",
        )
      }
      sent={() => ({ message: "Interview cancelled." })}
    >
      <InterviewPick upcoming={upcoming} />
      <label>
        Reason (optional)
        <input name="reason" maxLength={200} />
      </label>
      <PartyField legend="Who cancelled?" />
    </StepFrame>
  );
}

const FIT: [number, string][] = [
  [-2, "−2: not for me"],
  [-1, "−1: probably not"],
  [0, "0: not sure yet"],
  [1, "+1: maybe"],
  [2, "+2: yes, I could"],
];

/** Questions from the student's question bank, at hand while writing the notes. */
function QuestionBank() {
  const me = useLoad(() => api.GET("/api/v1/me"), []);
  const questions = me.data?.questions ?? [];
  return (
    <fieldset>
      <legend>Questions you asked</legend>
      {me.loading && !me.data ? (
        <p class="muted" aria-busy="true">
          Loading your question bank…
        </p>
      ) : questions.length === 0 ? (
        <p class="muted">{me.data ? "Your question bank is empty; add questions in Settings." : "Your question bank needs a connection."}</p>
      ) : (
        questions.map((q) => (
          <label key={q.id} class="check">
            <input type="checkbox" name="question" value={q.text} />
            {q.text}
          </label>
        ))
      )}
      <label>
        Other questions you asked (one per line)
        <textarea name="otherQuestions" rows={3} />
      </label>
    </fieldset>
  );
}

export function HeldForm(props: StepProps) {
  const { contact, upcoming } = props.ctx;
  return (
    <StepFrame
      {...props}
      title="Notes from the interview"
      verb="Record interview"
      ready={upcoming.length > 0}
      intro={<p class="muted">Write it down while it is fresh. Did you ask who else you should talk to?</p>}
      record={(form) => {
        const asked = [...form.getAll("question").map(String), ...lines(form, "otherQuestions")];
        return recordStep(
          contact,
          "held",
          {
            interviewId: String(form.get("interviewId")),
            heldAt: tappedAt(contact.id),
            minutes: minutesOf(form) ?? null,
            notes: text(form, "notes"),
            keyTakeaways: text(form, "keyTakeaways"),
            advice: text(form, "advice"),
            resources: lines(form, "resources"),
            questionsAsked: [...new Set(asked)],
            fitSignal: Number(form.get("fitSignal") ?? 0),
          },
          "Interview held",
        );
      }}
      sent={() => ({ message: "Interview recorded. Send a thank-you within a business day or two." })}
    >
      <InterviewPick upcoming={upcoming} />
      <MinutesField value={upcoming[0]?.minutes ?? 30} />
      <label>
        Notes
        <textarea name="notes" rows={5} maxLength={10000} />
      </label>
      <label>
        Key takeaways
        <textarea name="keyTakeaways" rows={3} maxLength={10000} />
      </label>
      <label>
        Advice
        <textarea name="advice" rows={3} maxLength={10000} />
      </label>
      <label>
        Resources mentioned (one per line)
        <textarea name="resources" rows={3} />
      </label>
      <RadioField legend="Could you see yourself doing this?" name="fitSignal" options={FIT} value={0} />
      <QuestionBank />
    </StepFrame>
  );
}
