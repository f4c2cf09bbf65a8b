"""Cron expressions as Velero reads them: the gaps between backups, the schedule an RPO needs, bad ones named."""

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.dr import cron
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError


@pytest.mark.parametrize("expression, gaps", [
    ("*/15 * * * *", (15, 15)),
    ("0 */6 * * *", (360, 360)),
    ("@every 90m", (90, 90)),
    ("@daily", (1440, 1440)),
    ("0 0 * * 1", (10080, 10080)),
    ("5 4 * * sun", (10080, 10080)),
    ("0 9-17 * * 1-5", (60, 3840)),          # hourly on weekdays; Friday 17:00 to Monday 09:00
    ("0,30 * * * *", (30, 30)),
    ("0 0 1,15 * *", (14 * 1440, 17 * 1440)),  # 1st to 15th: 14 days; 15th to the 1st: 14 (Feb) to 17 days
])
def test_gaps(expression, gaps):
    assert cron.gaps_minutes("c", expression) == gaps


@pytest.mark.parametrize("expression, says", [
    ("every hour", "has 2 fields"), ("61 * * * *", "outside 0-59"), ("* * 0 * *", "outside 1-31"),
    ("x * * * *", "not a number"), ("@every 0s", "positive duration"), ("", "give a cron expression"),
])
def test_bad_expressions_name_the_field(expression, says):
    with pytest.raises(ValidationError) as err:
        cron.gaps_minutes("schedules[0].cron", expression)
    assert "schedules[0].cron" in str(err.value) and says in str(err.value), str(err.value)


@pytest.mark.parametrize("rpo, expression", [
    (5, "*/5 * * * *"), (7, "*/6 * * * *"), (29, "*/20 * * * *"), (59, "*/30 * * * *"), (60, "0 * * * *"),
    (119, "0 * * * *"), (240, "0 */4 * * *"), (719, "0 */8 * * *"), (1439, "0 */12 * * *"), (1440, "0 0 * * *"),
    (10000, "0 0 * * *"),
])
def test_the_cron_an_rpo_needs_is_the_least_often_that_keeps_it(rpo, expression):
    assert cron.for_rpo(rpo) == expression
    assert cron.gaps_minutes("c", expression)[1] <= rpo
