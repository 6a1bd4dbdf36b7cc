"""Groups and learners the caller may see. Thin: parse, read through the selectors, return.

Reading a learner's profile is audited by ``learner_profile``, exactly as the page is.
"""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from commonroom.authz.actor import actor_for
from commonroom.common.api_schemas import (
    DETAIL_ERRORS,
    MAX_ID,
    READ_ERRORS,
    Ref,
    id_in_path,
    paginated,
    paginated_learners,
)
from commonroom.people.models import ContactLink, Enrolment, Group, GroupStaff, Learner
from commonroom.people.selectors import (
    GroupDetail,
    LearnerProfile,
    access_entry,
    access_events,
    group_detail,
    group_list,
    learner_list,
    learner_profile,
)

router = Router(tags=["people"])


# Groups.


class GroupFilters(Schema):
    institution: int | None = Field(None, ge=1, le=MAX_ID, description="Only this institution's groups")
    kind: Group.Kind | None = None


class GroupOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    nc_year: int | None
    subject: str
    institution: Ref
    learner_count: int

    @staticmethod
    def resolve_institution(obj: Group) -> dict[str, Any]:
        return {"id": obj.institution_id, "name": obj.institution.name}


class GroupStaffOut(Schema):
    name: str
    role: str

    @staticmethod
    def resolve_name(obj: GroupStaff) -> str:
        return obj.person.full_name


class LearnerRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_id(obj: Learner) -> int:
        return obj.pk

    @staticmethod
    def resolve_name(obj: Learner) -> str:
        return obj.person.full_name


class GroupDetailOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    nc_year: int | None
    subject: str
    institution: Ref
    academic_year: str
    staff: list[GroupStaffOut]
    learners: list[LearnerRef]

    @staticmethod
    def resolve_id(obj: GroupDetail) -> int:
        return obj.group.pk

    @staticmethod
    def resolve_name(obj: GroupDetail) -> str:
        return obj.group.name

    @staticmethod
    def resolve_code(obj: GroupDetail) -> str:
        return obj.group.code

    @staticmethod
    def resolve_kind(obj: GroupDetail) -> str:
        return obj.group.kind

    @staticmethod
    def resolve_nc_year(obj: GroupDetail) -> int | None:
        return obj.group.nc_year

    @staticmethod
    def resolve_subject(obj: GroupDetail) -> str:
        return obj.group.subject

    @staticmethod
    def resolve_institution(obj: GroupDetail) -> dict[str, Any]:
        return {"id": obj.group.institution_id, "name": obj.group.institution.name}

    @staticmethod
    def resolve_academic_year(obj: GroupDetail) -> str:
        return obj.group.academic_year.name


@router.get("/groups", response={200: list[GroupOut], **READ_ERRORS}, summary="List groups")
@paginated
def list_groups(request: HttpRequest, filters: Query[GroupFilters]) -> QuerySet[Group]:
    """Groups the caller teaches, tutors, belongs to, or sees through a whole-institution or authority role."""
    return group_list(actor_for(request), institution_id=filters.institution, kind=filters.kind)


@router.get("/groups/{group_id}", response={200: GroupDetailOut, **DETAIL_ERRORS}, summary="Get a group")
def get_group(request: HttpRequest, group_id: int = id_in_path()) -> GroupDetail:
    """A group with its staff, and the learners in it whom the caller may see."""
    return group_detail(actor_for(request), group_id)


# Learners.


class LearnerFilters(Schema):
    institution: int | None = Field(None, ge=1, le=MAX_ID, description="Only learners enrolled there today")
    group: int | None = Field(None, ge=1, le=MAX_ID, description="Only learners in this group today")


class LearnerFields(Schema):
    id: int
    given_name: str
    family_name: str
    preferred_name: str
    upn: str | None
    uln: str | None


class LearnerOut(LearnerFields):
    @staticmethod
    def resolve_id(obj: Learner) -> int:
        return obj.pk

    @staticmethod
    def resolve_given_name(obj: Learner) -> str:
        return obj.person.given_name

    @staticmethod
    def resolve_family_name(obj: Learner) -> str:
        return obj.person.family_name

    @staticmethod
    def resolve_preferred_name(obj: Learner) -> str:
        return obj.person.preferred_name


class EnrolmentOut(Schema):
    institution: Ref
    kind: str
    start_date: datetime.date
    end_date: datetime.date | None

    @staticmethod
    def resolve_institution(obj: Enrolment) -> dict[str, Any]:
        return {"id": obj.institution_id, "name": obj.institution.name}


class GroupRef(Schema):
    id: int
    name: str
    kind: str


class ContactOut(Schema):
    name: str
    relationship: str
    priority: int
    parental_responsibility: bool
    may_receive_reports: bool
    access_barred: bool

    @staticmethod
    def resolve_name(obj: ContactLink) -> str:
        return obj.contact.full_name


class LearnerProfileOut(LearnerFields):
    date_of_birth: datetime.date | None
    former_upn: str
    enrolments: list[EnrolmentOut]
    groups: list[GroupRef]
    contacts: list[ContactOut]

    @staticmethod
    def resolve_id(obj: LearnerProfile) -> int:
        return obj.learner.pk

    @staticmethod
    def resolve_given_name(obj: LearnerProfile) -> str:
        return obj.learner.person.given_name

    @staticmethod
    def resolve_family_name(obj: LearnerProfile) -> str:
        return obj.learner.person.family_name

    @staticmethod
    def resolve_preferred_name(obj: LearnerProfile) -> str:
        return obj.learner.person.preferred_name

    @staticmethod
    def resolve_upn(obj: LearnerProfile) -> str | None:
        return obj.learner.upn

    @staticmethod
    def resolve_uln(obj: LearnerProfile) -> str | None:
        return obj.learner.uln

    @staticmethod
    def resolve_former_upn(obj: LearnerProfile) -> str:
        return obj.learner.former_upn

    @staticmethod
    def resolve_date_of_birth(obj: LearnerProfile) -> datetime.date | None:
        return obj.learner.person.date_of_birth


@router.get("/learners", response={200: list[LearnerOut], **READ_ERRORS}, summary="List learners")
@paginated_learners
def list_learners(request: HttpRequest, filters: Query[LearnerFilters]) -> QuerySet[Learner]:
    """Learners the caller may open, optionally within one institution or one group, by name."""
    return learner_list(actor_for(request), institution_id=filters.institution, group_id=filters.group)


@router.get("/learners/{learner_id}", response={200: LearnerProfileOut, **DETAIL_ERRORS}, summary="Get a learner")
def get_learner(request: HttpRequest, learner_id: int = id_in_path()) -> LearnerProfile:
    """A learner's profile, with the contacts the caller may see. The read is recorded in the audit trail."""
    return learner_profile(actor_for(request), learner_id)


class AccessEntryOut(Schema):
    at: datetime.datetime
    who: str = Field(description="The name of whoever acted, as it was then")
    verb: str = Field(description="looked at, or recorded")
    what: str
    through: str = Field(description="The institution or authority they acted through; empty for the family")


@router.get("/learners/{learner_id}/access-log", response={200: list[AccessEntryOut], **DETAIL_ERRORS},
            summary="Who has looked at a learner's record")
@paginated
def get_access_log(request: HttpRequest, learner_id: int = id_in_path()) -> Any:
    """Newest first. The learner, their parents and carers (not barred) and the head may read it; a parent does
    not see the visits of the child's other parents or carers."""
    _learner, events = access_events(actor_for(request), learner_id)
    return _AccessEntries(events)


class _AccessEntries:
    """The events as entries, sliced lazily so the paginator fetches one page."""

    def __init__(self, events: QuerySet[Any]) -> None:
        self.events = events

    def count(self) -> int:
        return self.events.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        return [access_entry(event) for event in self.events[index]]
