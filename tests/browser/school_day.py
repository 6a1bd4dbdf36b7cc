"""Run manage.py as if it were 10:30 on a school day, so that the browser tests can take today's
register whatever the real date (a Saturday, the summer holiday). Used only by the browser tests.

    python tests/browser/school_day.py <manage.py arguments>
"""

import datetime
import sys
from pathlib import Path

import time_machine

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from commonroom.testing.clock import school_day_travel  # noqa: E402

if __name__ == "__main__":
    time_machine.travel(school_day_travel(datetime.date.today()), tick=True).start()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", *sys.argv[1:]])
