"""Outbound touchpoints: reminders, check-ins, assessments, onboarding, discharge, resources,
wellness series and refill prompts (see `scheduler.py` for the one path every send takes)."""
