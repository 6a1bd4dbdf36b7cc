"""Schema pieces and conventions shared by every router of the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninja import Path, Schema
from ninja.pagination import PageNumberPagination, paginate

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


# Record ids in paths: positive and within a database integer, so that nonsense answers 422, never 500.
MAX_ID = 2**63 - 1


def id_in_path() -> Any:
    return Path(..., ge=1, le=MAX_ID)


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    """Ninja's shape for invalid input: a list of {type, loc, msg}."""

    detail: list[dict[str, Any]]


class Ref(Schema):
    """A reference to a named record: enough to show it and to ask for it."""

    id: int
    name: str


# Declared error responses, so that the schema lists every status an operation can answer with.
UNAUTHORISED: dict[int, Any] = {401: ErrorOut}
INVALID: dict[int, Any] = {422: ValidationErrorOut}
NOT_FOUND: dict[int, Any] = {404: ErrorOut}
CSRF_FAILED: dict[int, Any] = {403: ErrorOut}
READ_ERRORS: dict[int, Any] = {**UNAUTHORISED, **INVALID}
DETAIL_ERRORS: dict[int, Any] = {**UNAUTHORISED, **NOT_FOUND, **INVALID}
WRITE_ERRORS: dict[int, Any] = {**UNAUTHORISED, **CSRF_FAILED, **INVALID}


class LearnerPagePagination(PageNumberPagination):
    """Page-number pagination that records, in the audit trail, which learners' identifiers were read."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: Any = None, **params: Any) -> Any:
        from commonroom.authz.actor import actor_for
        from commonroom.authz.audit import record_learner_list_read

        result = super().paginate_queryset(queryset, pagination, request=request, **params)
        items = list(result[self.items_attribute])
        result[self.items_attribute] = items
        record_learner_list_read(actor_for(request), [item.pk for item in items], what="learner_list")
        return result


def paginated_learners(func: Callable[..., Any]) -> Callable[..., Any]:
    """Like ``paginated``, and each learner on the page is recorded as read."""
    return paginate(LearnerPagePagination, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)(func)


def paginated(func: Callable[..., Any]) -> Callable[..., Any]:
    """Page-number pagination (``?page=2&page_size=100``), 50 a page by default and at most 200."""
    return paginate(PageNumberPagination, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)(func)
