// Each step the server may offer, its button, and the form it opens.
import type { FunctionComponent } from "preact";
import type { Step } from "../../api/client";
import { ActionItemForm, CompleteActionItemForm, KeepInTouchForm, ReferralForm, ReflectionForm, ThanksForm } from "./after";
import type { StepProps } from "./common";
import { CancelForm, HeldForm, RescheduleForm, ScheduleForm } from "./interview";
import { ArchiveForm, EditForm, EraseForm, NoteForm, RestoreForm } from "./record";
import { AnswerForm, FollowUpForm, RequestForm } from "./request";

export interface StepUi {
  /** The button that opens the form. */
  button: string;
  form: FunctionComponent<StepProps>;
  /** Steps that move the relationship on are the prominent ones; the rest are kept quieter. */
  kind: "main" | "more" | "danger";
}

export const STEP_UI: Record<Step, StepUi> = {
  request: { button: "Ask for an interview", form: RequestForm, kind: "main" },
  follow_up: { button: "Follow up", form: FollowUpForm, kind: "main" },
  answer: { button: "They answered", form: AnswerForm, kind: "main" },
  schedule: { button: "Schedule", form: ScheduleForm, kind: "main" },
  held: { button: "Interview held", form: HeldForm, kind: "main" },
  thanks: { button: "Send thanks", form: ThanksForm, kind: "main" },
  referral: { button: "Log a referral", form: ReferralForm, kind: "main" },
  reschedule: { button: "Reschedule", form: RescheduleForm, kind: "more" },
  cancel: { button: "Cancel interview", form: CancelForm, kind: "more" },
  reflection: { button: "Reflect", form: ReflectionForm, kind: "main" },
  keep_in_touch: { button: "Stay in touch", form: KeepInTouchForm, kind: "main" },
  action_item: { button: "Add action item", form: ActionItemForm, kind: "more" },
  complete_action_item: { button: "Mark an item done", form: CompleteActionItemForm, kind: "main" },
  note: { button: "Add note", form: NoteForm, kind: "more" },
  edit: { button: "Edit details", form: EditForm, kind: "more" },
  archive: { button: "Archive", form: ArchiveForm, kind: "more" },
  restore: { button: "Restore", form: RestoreForm, kind: "main" },
  erase: { button: "Erase", form: EraseForm, kind: "danger" },
};

export function isStep(value: string | null): value is Step {
  return value !== null && Object.prototype.hasOwnProperty.call(STEP_UI, value);
}

export type { Done, NoticeLink, OpenItem, StepContext, Upcoming } from "./common";
export { calendarHref } from "./interview";
