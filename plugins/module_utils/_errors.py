# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Domain errors raised by the shared core; the module/plugin edge turns them into
``fail_json`` or ``AnsibleError``. Private: the interface may change in any release."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type


class CippError(Exception):
    """Base error: ``msg`` says what happened and what to do; ``details`` are structured
    fields for the task result (never secrets)."""

    def __init__(self, msg: str, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = {key: value for key, value in details.items() if value is not None}

    def result_fields(self) -> dict:
        """Fields to merge into a failed task result (``msg`` plus structured details)."""
        return dict(self.details, msg=self.msg)


class CippConfigError(CippError):
    """Bad or missing option; ``option`` names it."""


class CippAuthError(CippError):
    """Entra ID refused to issue a token (AADSTS code in ``aadsts_code``) or the token
    service could not be reached."""


class CippApiError(CippError):
    """CIPP answered with an error status, HTML instead of JSON, or could not be reached."""


class CippResultError(CippApiError):
    """CIPP answered 2xx but its ``Results`` text reports a failure."""


class CippTenantError(CippError):
    """The tenant named in the task is not managed by this CIPP instance."""
