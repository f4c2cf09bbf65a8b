# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Backup schedules as Velero reads them (robfig/cron: five fields or a descriptor), checked before any request;
the longest gap between two backups of a schedule, which bounds the RPO it can keep; the schedule an RPO needs.

Pure. A field is `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, or a list of those; day of month and day
of week both restricted means either (cron's rule). Descriptors: @yearly, @monthly, @weekly, @daily, @hourly and
`@every <duration>`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError

FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 6))
DESCRIPTORS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
               "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
EVERY = re.compile(r"^@every\s+((?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?)$")
#: Velero queues a backup behind a running one of the same namespaces; a schedule more often than this is refused
MIN_INTERVAL_MINUTES = 5


NAMES = {"month": ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
         "day of week": ("sun", "mon", "tue", "wed", "thu", "fri", "sat")}


def _field(text, name, low, high):
    """(values, restricted) of one field; month and weekday names (jan, sun) as cron takes them."""
    for number, word in enumerate(NAMES.get(name, ()), low):
        text = re.sub(r"(?i)\b%s\b" % word, str(number), text)
    values = set()
    for part in text.split(","):
        m = re.match(r"^(\*|([0-9]+)(?:-([0-9]+))?)(?:/([0-9]+))?$", part)
        if not m:
            raise ValueError("%s %r is not a number, a range, * or a step" % (name, part))
        if m.group(1) == "*":
            start, end = low, high
        else:
            start = int(m.group(2))
            end = int(m.group(3)) if m.group(3) else (high if m.group(4) else start)   # a/n: from a to the end
        step = int(m.group(4) or 1)
        if not (low <= start <= end <= high) or step < 1:
            raise ValueError("%s %r is outside %d-%d" % (name, part, low, high))
        values.update(range(start, end + 1, step))
    return values, text != "*"


def parse(field, expression):
    """(kind, value): ("every", seconds) or ("fields", [(values, restricted)] x 5) of a valid expression."""
    if not isinstance(expression, str) or not expression.strip():
        raise ValidationError(field, "give a cron expression such as '0 */6 * * *' or '@every 1h'")
    text = DESCRIPTORS.get(expression.strip(), expression.strip())
    every = EVERY.match(text)
    if every:
        parts = dict((u, int(n)) for n, u in re.findall(r"([0-9]+)([hms])", every.group(1)))
        seconds = parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0)
        if seconds <= 0:
            raise ValidationError(field, "%r: @every needs a positive duration such as 30m" % expression)
        return "every", seconds
    words = text.split()
    if len(words) != 5:
        raise ValidationError(field, "%r has %d fields; a cron expression has 5 (minute hour day-of-month month "
                              "day-of-week) or is a descriptor (%s, @every <duration>)"
                              % (expression, len(words), ", ".join(sorted(DESCRIPTORS))))
    try:
        return "fields", [_field(w, *spec) for w, spec in zip(words, FIELDS)]
    except ValueError as exc:
        raise ValidationError(field, "%r: %s" % (expression, exc))


def _day_matches(fields, day):
    (dom, dom_set), months, (dow, dow_set) = fields[2], fields[3][0], fields[4]
    if day.month not in months:
        return False
    by_dom, by_dow = day.day in dom, (day.isoweekday() % 7) in dow
    if dom_set and dow_set:
        return by_dom or by_dow
    return by_dom and by_dow


def gaps_minutes(field, expression):
    """(shortest, longest) time between two backups of the schedule, in minutes (over a year from 2026-01-01)."""
    kind, value = parse(field, expression)
    if kind == "every":
        return value / 60.0, value / 60.0
    times = sorted(h * 60 + m for h in value[1][0] for m in value[0][0])
    start, fires = datetime.date(2026, 1, 1), []
    for offset in range(366 + 7):
        day = start + datetime.timedelta(days=offset)
        if _day_matches(value, day):
            fires += [offset * 1440 + t for t in times]
    if len(fires) < 2:
        raise ValidationError(field, "%r fires less than twice a year" % expression)
    between = [b - a for a, b in zip(fires, fires[1:])]
    return min(between), max(between)


def for_rpo(rpo_minutes):
    """The cron expression whose longest gap is the longest one within rpo_minutes: every d minutes (d divides
    60), every h hours (h divides 24), or daily."""
    if rpo_minutes < 60:
        return "*/%d * * * *" % max(d for d in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30) if d <= rpo_minutes)
    if rpo_minutes < 1440:
        hours = max(h for h in (1, 2, 3, 4, 6, 8, 12) if h * 60 <= rpo_minutes)
        return "0 */%d * * *" % hours if hours > 1 else "0 * * * *"
    return "0 0 * * *"
