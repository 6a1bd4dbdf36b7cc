"""School written reports as PDF, rendered with ReportLab from plain dataclasses (no database)."""
