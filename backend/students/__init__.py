"""The student's own stream: profile, career interests, goals, the question bank."""
