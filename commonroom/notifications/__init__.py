"""Alerts to families by email and text: which alerts a school offers, each contact's choices, delivery."""
