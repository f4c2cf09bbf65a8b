# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors shared by every module_utils piece.

Modules catch AizoneError once (see module.run_module) and turn it into
fail_json; nothing else in module_utils talks to AnsibleModule directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class AizoneError(Exception):
    """An error with a message fit for the user, and optional details."""

    def __init__(self, msg, **details):
        super(AizoneError, self).__init__(msg)
        self.msg = msg
        self.details = details


class ValidationError(AizoneError):
    """Bad input, found before any API call. `field` names the option path."""

    def __init__(self, field, msg, **details):
        full = "%s: %s" % (field, msg) if field else msg
        super(ValidationError, self).__init__(full, field=field, **details)
        self.field = field


class WaitTimeout(AizoneError):
    """A wait ran out of time; the message says who waited on what."""


class ApiError(AizoneError):
    """An API call failed for good (after retries, or not retryable)."""

    def __init__(self, msg, status=None, code=None, **details):
        super(ApiError, self).__init__(msg, status=status, code=code, **details)
        self.status = status
        self.code = code
