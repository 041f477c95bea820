"""The question bank every student starts with, from career-centre guidance on informational interviews."""

from uuid import NAMESPACE_URL, UUID, uuid5

# (topic, question). Topics follow the guidance: background, a typical day, challenges, rewards,
# what experience helped, advice and resources, and who else to talk to.
DEFAULT_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("background", "How did you get into this field, and how did you prepare for it?"),
    ("background", "What education or training matters most for this work?"),
    ("typical_day", "What does a typical day or week look like for you?"),
    ("typical_day", "Who do you work with most, and how?"),
    ("challenges", "What are the hardest parts of your job?"),
    ("challenges", "What do you wish you had known before you started?"),
    ("rewards", "What do you find most rewarding about this work?"),
    ("experience", "Which experiences (courses, internships, projects) helped you most?"),
    ("advice", "What would you advise someone like me to do in the next year?"),
    ("advice", "Which resources, societies or events should I know about?"),
    ("referrals", "Who else would you suggest I talk to, and may I mention your name?"),
)


def default_question_id(student_id: UUID, index: int) -> UUID:
    """Stable ids, so seeding the bank twice (a retried sign-up) yields the same questions."""
    return uuid5(NAMESPACE_URL, f"rapport:question:{student_id}:{index}")
