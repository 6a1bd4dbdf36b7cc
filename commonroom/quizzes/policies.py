"""The quizzes app's authorisation rules."""

# Adaptive practice (docs/adaptive-practice.md).
from commonroom.quizzes import practice_policies  # noqa: F401
