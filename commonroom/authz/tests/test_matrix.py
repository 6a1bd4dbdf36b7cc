"""The authorisation matrix: every URL pattern and API operation x every persona x own/other targets.

Each endpoint has a spec saying, from the independent oracle, who should get through. A new
URL or API operation without a spec fails ``test_every_endpoint_has_a_spec``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver

from commonroom.config.api import api
from commonroom.testing import oracle
from commonroom.testing.matrix import SIGNED_IN, Spec, app_spec_modules
from commonroom.testing.world import World, load_world

PERSONAS = sorted(
    [f"{inst}.{role}" for inst in ("a1", "b1") for role in ("head", "senco", "dsl", "office", "teacher", "teacher2", "tutor", "learnerA1", "learnerB1", "leaver")]
    + ["a1.leader", "a2.head", "solo.head", "parent.a1", "parent.two", "parent.barred", "la1.officer", "la2.officer", "platform.admin", "nobody", "anonymous",
       "a1.governor", "la1.assessor"]
)
LEARNERS = ["a1.learnerA1", "a1.learnerB1", "a1.leaver", "b1.learnerA1", "solo.learnerA1"]
GROUPS = ["a1.formA", "a1.formB", "a1.maths", "a1.art", "b1.maths", "b1.formA"]
INSTITUTIONS = ["a1", "a2", "b1", "solo"]
MARKED = ["a1.learnerA1", "a1.learnerA2", "b1.learnerA1"]  # learners with a mark this morning in matrix_world
LINKS = ["parent.a1>a1.learnerA1", "parent.barred>a1.learnerA1", "parent.two>b1.learnerA1"]
PLATFORM_ADMIN = lambda persona, target: persona == "platform.admin"  # noqa: E731


def _pk(kind: str) -> Callable[[World, str], int]:
    return lambda world, key: getattr(world, kind)[key].pk


def learner_url(world: World, key: str) -> str:
    return f"/learners/{world.learners[key].pk}/"


def _token_of_head(world: World, _key: str) -> str:
    from commonroom.identity.models import PersonalAccessToken

    token = PersonalAccessToken.objects.get(user=world.users["a1.head"], name="matrix")
    return f"/account/tokens/{token.pk}/revoke/"


def _role_of(world: World, key: str) -> str:
    from commonroom.authz.models import RoleAssignment

    return f"/manage/roles/{RoleAssignment.objects.get(person=world.people[key]).pk}/end/"


def _mark_of(world: World, key: str) -> int:
    from commonroom.records.models import AttendanceMark

    return AttendanceMark.objects.get(learner=world.learners[key], session="AM", date=_today()).pk


def _today():  # type: ignore[no-untyped-def]
    from commonroom.common.dates import today

    return today()


def _incident_of(world: World, inst: str) -> int:
    from commonroom.records.models import Incident

    return Incident.objects.get(institution=world.institutions[inst], location="matrix").pk


def _slot_of(world: World, inst: str) -> int:
    from commonroom.records.models import TimetableSlot

    return TimetableSlot.objects.get(institution=world.institutions[inst], group=world.groups[f"{inst}.maths"]).pk


def _point_of(world: World, key: str) -> int:
    from commonroom.records.models import AssessmentPoint

    return AssessmentPoint.objects.get(institution=world.institutions[key.split(".")[0]], name="Autumn").pk


def _aspect_of(world: World, key: str) -> int:
    from commonroom.records.models import Aspect

    return Aspect.objects.get(institution=world.institutions[key], kind="effort").pk


def _sen_record_of(world: World, key: str) -> int:
    from commonroom.records.models import SenRecord

    return SenRecord.objects.get(learner=world.learners[key]).pk


SEN_RECORDS = ["a1.learnerA1", "a1.learnerB1", "b1.learnerA1"]  # learners with an SEN record in the world


def _may_read_marksheet(persona: str, group: str) -> bool:
    return group.split(".")[1] in oracle.TEACHING_GROUPS and oracle.may_view_group_progress(persona, group)


def _cycle_of(world: World, key: str, name: str = "Year 10 spring") -> int:
    from commonroom.records.models import ReportCycle

    return ReportCycle.objects.get(institution=world.institutions[key.split(".")[0]], name=name).pk


def _report_of(world: World, key: str) -> int:
    from commonroom.records.models import PublishedReport

    return PublishedReport.objects.get(learner=world.learners[key]).pk


def _run_of(world: World, key: str) -> int:
    from django.core.files.base import ContentFile

    from commonroom.records.models import ReportCycle, ReportRun

    cycle = ReportCycle.objects.get(pk=_cycle_of(world, key, "Year 10 autumn"))
    run = ReportRun.objects.create(institution=cycle.institution, cycle=cycle, status="done", total=2, done=2)
    run.file.save("matrix.pdf", ContentFile(b"%PDF-1.4"))
    return run.pk


PUBLISHED = ["a1.learnerA1", "a1.learnerA2", "b1.learnerA1"]  # learners with a published report in the world
CYCLE_GROUPS = ["a1.maths", "a1.art", "a1.formA", "a1.formB", "b1.maths"]


def _link_url(world: World, key: str) -> str:
    link = world.links[key]
    return f"/learners/{link.learner_id}/contacts/{link.pk}/invite/"


PAGE_SPECS: dict[str, Spec] = {
    "home": Spec(lambda w, t: "/", SIGNED_IN),
    "people:learner_list": Spec(lambda w, t: "/learners/", SIGNED_IN),
    "people:learner_detail": Spec(learner_url, oracle.may_view_learner, LEARNERS),
    "people:access_log": Spec(lambda w, t: f"{learner_url(w, t)}access-log/", oracle.may_view_access_log, LEARNERS),
    "people:contact_invite": Spec(_link_url, oracle.may_invite, LINKS),
    "people:contact_add": Spec(lambda w, t: f"{learner_url(w, t)}contacts/new/", oracle.may_change_learner, LEARNERS),
    "people:group_detail": Spec(lambda w, t: f"/groups/{w.groups[t].pk}/", oracle.may_view_group, GROUPS),
    "people:learner_enrol": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/learners/new/", oracle.may_enrol_at, INSTITUTIONS),
    "organisations:institution_detail": Spec(
        lambda w, t: f"/institutions/{w.institutions[t].pk}/", oracle.may_view_institution, INSTITUTIONS
    ),
    "organisations:institution_settings": Spec(
        lambda w, t: f"/institutions/{w.institutions[t].pk}/settings/", oracle.may_change_institution, INSTITUTIONS
    ),
    "records:registers": Spec(lambda w, t: "/registers/", SIGNED_IN),
    "records:register": Spec(
        lambda w, t: f"/groups/{w.groups[t].pk}/register/{_today().isoformat()}/AM/", oracle.may_take_register, GROUPS
    ),
    "records:group_attendance": Spec(
        lambda w, t: f"/groups/{w.groups[t].pk}/attendance/", oracle.may_view_group_attendance, GROUPS
    ),
    "records:mark_detail": Spec(lambda w, t: f"/attendance/marks/{_mark_of(w, t)}/", oracle.may_view_learner, MARKED),
    "records:learner_attendance": Spec(lambda w, t: f"{learner_url(w, t)}attendance/", oracle.may_view_learner, LEARNERS),
    "records:planned_absence": Spec(
        lambda w, t: f"{learner_url(w, t)}attendance/planned/", oracle.may_change_learner, LEARNERS
    ),
    "records:institution_attendance": Spec(
        lambda w, t: f"/institutions/{w.institutions[t].pk}/attendance/", oracle.may_view_institution_attendance, INSTITUTIONS
    ),
    "records:absentees": Spec(
        lambda w, t: f"/institutions/{w.institutions[t].pk}/attendance/absentees/",
        oracle.may_view_institution_attendance, INSTITUTIONS,
    ),
    "records:outstanding": Spec(
        lambda w, t: f"/institutions/{w.institutions[t].pk}/attendance/outstanding/", oracle.may_amend_attendance_at, INSTITUTIONS
    ),
    "records:closure": Spec(
        lambda w, t: f"/institutions/{w.institutions[t].pk}/attendance/closure/", oracle.may_amend_attendance_at, INSTITUTIONS
    ),
    "records:behaviour": Spec(lambda w, t: "/behaviour/", SIGNED_IN),
    "records:incident_detail": Spec(lambda w, t: f"/behaviour/incidents/{_incident_of(w, t)}/", oracle.may_view_incident,
                                    ["a1", "b1"]),
    "records:incident_new": Spec(lambda w, t: f"/groups/{w.groups[t].pk}/behaviour/incident/", oracle.may_record_for_group,
                                 GROUPS),
    "records:reward_new": Spec(lambda w, t: f"/groups/{w.groups[t].pk}/behaviour/reward/", oracle.may_record_for_group,
                               GROUPS),
    "records:learner_behaviour": Spec(lambda w, t: f"{learner_url(w, t)}behaviour/", oracle.may_view_learner, LEARNERS),
    "records:institution_behaviour": Spec(
        lambda w, t: f"/institutions/{w.institutions[t].pk}/behaviour/", oracle.may_view_institution_attendance, INSTITUTIONS
    ),
    "records:behaviour_settings": Spec(
        lambda w, t: f"/institutions/{w.institutions[t].pk}/behaviour/settings/", oracle.may_manage_behaviour, INSTITUTIONS
    ),
    "records:my_timetable": Spec(lambda w, t: "/timetable/", SIGNED_IN),
    "records:lesson_register": Spec(lambda w, t: f"/lessons/{_slot_of(w, t)}/{_today().isoformat()}/",
                                    oracle.may_take_lesson_register, ["a1", "b1"]),
    "records:institution_timetable": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/timetable/",
                                          oracle.may_view_timetable, INSTITUTIONS),
    "records:slot_remove": Spec(lambda w, t: f"/institutions/{w.institutions[t.split('.')[0]].pk}/timetable/slots/{_slot_of(w, t.split('.')[0])}/remove/",
                                lambda p, t: oracle.may_manage_timetable(p, t.split(".")[0]), ["a1.slot"], method="post", ok=(302,)),
    "records:school_week": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/school-week/",
                                oracle.may_manage_timetable, INSTITUTIONS),
    "records:missing_from_lessons": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/attendance/missing/",
                                         oracle.may_view_institution_attendance, INSTITUTIONS),
    "records:assessment": Spec(lambda w, t: "/assessment/", SIGNED_IN),
    "records:assessment_setup": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/assessment/",
                                     oracle.may_manage_assessment, INSTITUTIONS),
    "records:point_state": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/assessment/points/{_point_of(w, t)}/",
                                oracle.may_manage_assessment, ["a1", "b1"], method="post", ok=(302,)),
    "records:point_edit": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/assessment/points/{_point_of(w, t)}/edit/",
                               oracle.may_manage_assessment, ["a1", "b1"]),
    "records:aspect_visibility": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/assessment/aspects/{_aspect_of(w, t)}/",
                                      oracle.may_manage_assessment, ["a1", "b1"], method="post", ok=(302,)),
    "records:institution_progress": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/progress/",
                                         oracle.may_view_institution_assessment, INSTITUTIONS),
    "records:marksheet": Spec(lambda w, t: f"/groups/{w.groups[t].pk}/marksheet/{_point_of(w, t)}/", _may_read_marksheet,
                              GROUPS),
    "records:group_progress": Spec(lambda w, t: f"/groups/{w.groups[t].pk}/progress/", _may_read_marksheet, GROUPS),
    "records:learner_progress": Spec(lambda w, t: f"{learner_url(w, t)}progress/", oracle.may_view_learner, LEARNERS),
    "records:export_results": Spec(lambda w, t: f"/assessment/points/{_point_of(w, t)}/grades.csv",
                                   oracle.may_manage_assessment, ["a1", "b1"]),
    "records:learner_sen": Spec(lambda w, t: f"{learner_url(w, t)}sen/", oracle.may_view_learner, LEARNERS),
    "records:sen_record_edit": Spec(
        lambda w, t: f"{learner_url(w, t)}sen/{w.institutions[t.split('.')[0]].pk}/", oracle.may_manage_sen, LEARNERS),
    "records:sen_provision_add": Spec(lambda w, t: f"/sen/records/{_sen_record_of(w, t)}/provision/", oracle.may_manage_sen,
                                      SEN_RECORDS),
    "records:sen_review": Spec(lambda w, t: f"/sen/records/{_sen_record_of(w, t)}/review/", oracle.may_manage_sen,
                               SEN_RECORDS),
    "records:sen_register": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/sen/", oracle.may_view_sen_register,
                                 INSTITUTIONS),
    "records:reports": Spec(lambda w, t: "/reports/", SIGNED_IN),
    "records:report_cycles": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/reports/", oracle.may_manage_reports,
                                  INSTITUTIONS),
    "records:report_cycle": Spec(lambda w, t: f"/reports/cycles/{_cycle_of(w, t)}/", oracle.may_view_report_cycles,
                                 ["a1", "b1"]),
    "records:report_writing": Spec(lambda w, t: f"/reports/cycles/{_cycle_of(w, t)}/groups/{w.groups[t].pk}/",
                                   lambda p, t: oracle.may_write_reports_for(p, t) and oracle.may_view_report_cycles(
                                       p, t.split(".")[0]), CYCLE_GROUPS),
    "records:report_proofread": Spec(lambda w, t: f"/reports/cycles/{_cycle_of(w, t)}/proofread/", oracle.may_manage_reports,
                                     ["a1", "b1"]),
    "records:report_preview": Spec(
        lambda w, t: f"/reports/cycles/{_cycle_of(w, t)}/learners/{w.learners[t].pk}/",
        lambda p, t: oracle.may_manage_reports(p, t.split(".")[0]) and not oracle.is_barred(p, t) and not t.endswith("leaver"),
        ["a1.learnerA1", "a1.learnerB1", "a1.leaver", "b1.learnerA1"]),
    "records:report_run_file": Spec(lambda w, t: f"/reports/runs/{_run_of(w, t)}/file/", oracle.may_manage_reports,
                                    ["a1", "b1"]),
    "records:published_report": Spec(lambda w, t: f"/reports/{_report_of(w, t)}/", oracle.may_read_published_report,
                                     PUBLISHED),
    "records:learner_reports": Spec(lambda w, t: f"{learner_url(w, t)}reports/", oracle.may_view_learner, LEARNERS),
    "interop:csv_upload": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/import/", oracle.may_enrol_at, INSTITUTIONS),
    "organisations:manage": Spec(lambda w, t: "/manage/", PLATFORM_ADMIN),
    "organisations:authority_create": Spec(lambda w, t: "/manage/authorities/new/", PLATFORM_ADMIN),
    "organisations:institution_create": Spec(lambda w, t: "/manage/institutions/new/", PLATFORM_ADMIN),
    "identity:account": Spec(lambda w, t: "/account/", SIGNED_IN),
    "identity:tokens": Spec(lambda w, t: "/account/tokens/", SIGNED_IN),
    "identity:token_revoke": Spec(_token_of_head, lambda p, t: p == "a1.head", method="post", ok=(302,)),
    "identity:add_child": Spec(lambda w, t: "/account/add-child/", SIGNED_IN),
    "identity:join": Spec(lambda w, t: "/join/", lambda p, t: True, ok=(200, 302), public=True),
    "identity:accounts": Spec(lambda w, t: "/manage/accounts/", PLATFORM_ADMIN),
    "identity:account_create": Spec(lambda w, t: "/manage/accounts/new/", PLATFORM_ADMIN),
    "identity:account_active": Spec(
        lambda w, t: f"/manage/accounts/{w.users[t].pk}/active/", PLATFORM_ADMIN, ["a1.teacher"], method="post", ok=(302,)
    ),
    "identity:role_grant": Spec(lambda w, t: "/manage/roles/grant/", lambda p, t: oracle.may_grant_roles(p)),
    "identity:role_end": Spec(_role_of, oracle.may_end_role_of, ["a1.teacher", "b1.teacher"], method="post", ok=(302,)),
    # OneRoster exchange
    "interop:oneroster": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/oneroster/", oracle.may_enrol_at,
                              INSTITUTIONS),
    # CTF exchange
    "interop:ctf_import": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/ctf/import/", oracle.may_enrol_at,
                               INSTITUTIONS),
    "interop:ctf_export": Spec(lambda w, t: f"/institutions/{w.institutions[t].pk}/ctf/export/", oracle.may_enrol_at,
                               INSTITUTIONS),
}

# django-allauth's pages act only on the signed-in user's own account (or none): they never take a
# record id. Sign-in, sign-up (closed), and password reset are public; the rest need a session.
ALLAUTH_PUBLIC = {
    "account_login", "account_signup", "account_reset_password", "account_reset_password_done",
    "account_reset_password_from_key", "account_reset_password_from_key_done", "account_inactive",
    "account_email_verification_sent", "account_confirm_email", "account_confirm_login_code", "account_logout",
    "mfa_authenticate",
}
ALLAUTH_OWN = {
    "account_reauthenticate", "account_email", "account_change_password", "account_set_password", "mfa_index",
    "mfa_reauthenticate", "mfa_activate_totp", "mfa_deactivate_totp", "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes", "mfa_download_recovery_codes",
}
API_PAGES = {"api-1:openapi-json", "api-1:openapi-view", "api-1:api-root"}


def api_path(world: World, template: str, target: str) -> str:
    path = template
    if "{learner_id}" in path:
        path = path.replace("{learner_id}", str(world.learners[target].pk))
    if "{group_id}" in path:
        path = path.replace("{group_id}", str(world.groups[target].pk))
    if "{institution_id}" in path:
        path = path.replace("{institution_id}", str(world.institutions[target].pk))
    if "{mark_id}" in path:
        path = path.replace("{mark_id}", str(_mark_of(world, target)))
    if "{incident_id}" in path:
        path = path.replace("{incident_id}", str(_incident_of(world, target)))
    if "{slot_id}" in path:
        path = path.replace("{slot_id}", str(_slot_of(world, target)))
    if "{point_id}" in path:
        path = path.replace("{point_id}", str(_point_of(world, target)))
    if "{cycle_id}" in path:
        path = path.replace("{cycle_id}", str(_cycle_of(world, target)))
    if "{report_id}" in path:
        path = path.replace("{report_id}", str(_report_of(world, target)))
    if "{token_id}" in path:
        from commonroom.identity.models import PersonalAccessToken

        path = path.replace("{token_id}", str(PersonalAccessToken.objects.get(user=world.users["a1.head"], name="matrix").pk))
    for placeholder, lookup in PLACEHOLDERS.items():
        if placeholder in path:
            path = path.replace(placeholder, str(lookup(world, target)))
    return path


API_SPECS: dict[tuple[str, str], Spec] = {
    ("get", "/api/v1/learners/{learner_id}/access-log"): Spec(lambda w, t: "", oracle.may_view_access_log, LEARNERS),
    ("get", "/api/v1/me"): Spec(lambda w, t: "", SIGNED_IN),
    ("get", "/api/v1/tokens"): Spec(lambda w, t: "", SIGNED_IN),
    ("post", "/api/v1/tokens"): Spec(lambda w, t: "", SIGNED_IN, ok=(200, 201)),
    ("delete", "/api/v1/tokens/{token_id}"): Spec(lambda w, t: "", lambda p, t: p == "a1.head", ok=(200, 204)),
    ("get", "/api/v1/institutions"): Spec(lambda w, t: "", SIGNED_IN),
    ("get", "/api/v1/institutions/{institution_id}"): Spec(lambda w, t: "", oracle.may_view_institution, INSTITUTIONS),
    ("get", "/api/v1/groups"): Spec(lambda w, t: "", SIGNED_IN),
    ("get", "/api/v1/groups/{group_id}"): Spec(lambda w, t: "", oracle.may_view_group, GROUPS),
    ("get", "/api/v1/learners"): Spec(lambda w, t: "", SIGNED_IN),
    ("get", "/api/v1/learners/{learner_id}"): Spec(lambda w, t: "", oracle.may_view_learner, LEARNERS),
    ("get", "/api/v1/groups/{group_id}/register"): Spec(lambda w, t: "", oracle.may_take_register, GROUPS),
    ("put", "/api/v1/groups/{group_id}/register"): Spec(
        lambda w, t: "", oracle.may_take_register, GROUPS,
        body=lambda w, t: _register_body(w, t),
    ),
    ("get", "/api/v1/attendance/marks/{mark_id}"): Spec(lambda w, t: "", oracle.may_view_learner, MARKED),
    ("post", "/api/v1/attendance/marks/{mark_id}/amend"): Spec(
        lambda w, t: "", oracle.may_amend_mark_of, MARKED,
        body=lambda w, t: {"code": "I", "reason": "Parent phoned", "seen_version": 1},
    ),
    ("get", "/api/v1/learners/{learner_id}/attendance"): Spec(lambda w, t: "", oracle.may_view_learner, LEARNERS),
    ("get", "/api/v1/institutions/{institution_id}/attendance"): Spec(
        lambda w, t: "", oracle.may_view_institution_attendance, INSTITUTIONS
    ),
    ("get", "/api/v1/institutions/{institution_id}/attendance/absentees"): Spec(
        lambda w, t: "", oracle.may_view_institution_attendance, INSTITUTIONS
    ),
    ("get", "/api/v1/groups/{group_id}/attendance"): Spec(lambda w, t: "", oracle.may_view_group_attendance, GROUPS),
    ("get", "/api/v1/timetable"): Spec(lambda w, t: "", SIGNED_IN),
    ("post", "/api/v1/institutions/{institution_id}/import"): Spec(
        lambda w, t: "", oracle.may_enrol_at, INSTITUTIONS,
        body=lambda w, t: {"groups": "code,name,kind\nZZ1,Matrix group,teaching\n", "dry_run": True},
    ),
    ("get", "/api/v1/lessons/{slot_id}/register"): Spec(lambda w, t: "", oracle.may_take_lesson_register, ["a1", "b1"]),
    ("put", "/api/v1/lessons/{slot_id}/register"): Spec(
        lambda w, t: "", oracle.may_take_lesson_register, ["a1", "b1"], body=lambda w, t: _lesson_body(w, t),
    ),
    ("get", "/api/v1/institutions/{institution_id}/attendance/missing"): Spec(
        lambda w, t: "", oracle.may_view_institution_attendance, INSTITUTIONS
    ),
    ("get", "/api/v1/learners/{learner_id}/behaviour"): Spec(lambda w, t: "", oracle.may_view_learner, LEARNERS),
    ("get", "/api/v1/incidents/{incident_id}"): Spec(lambda w, t: "", oracle.may_view_incident, ["a1", "b1"]),
    ("get", "/api/v1/institutions/{institution_id}/behaviour"): Spec(
        lambda w, t: "", oracle.may_view_institution_attendance, INSTITUTIONS
    ),
    ("post", "/api/v1/incidents"): Spec(
        lambda w, t: "", oracle.may_record_behaviour_for, ["a1.learnerA2", "a1.learnerB1", "b1.learnerA1", "a1.leaver"],
        ok=(201,), body=lambda w, t: _incident_body(w, t),
    ),
    ("post", "/api/v1/rewards"): Spec(
        lambda w, t: "", oracle.may_record_behaviour_for, ["a1.learnerA1", "a1.learnerA2", "b1.learnerA1"],
        ok=(201,), body=lambda w, t: _reward_body(w, t),
    ),
    ("get", "/api/v1/institutions/{institution_id}/assessment"): Spec(lambda w, t: "", oracle.may_manage_assessment,
                                                                       INSTITUTIONS),
    ("get", "/api/v1/groups/{group_id}/marksheets/{point_id}"): Spec(lambda w, t: "", _may_read_marksheet,
                                                                      ["a1.maths", "a1.art", "a1.formA", "b1.maths"]),
    ("put", "/api/v1/groups/{group_id}/marksheets/{point_id}"): Spec(
        lambda w, t: "", oracle.may_enter_grades, ["a1.maths", "a1.art", "a1.formA", "b1.maths"],
        body=lambda w, t: _marksheet_body(w, t),
    ),
    ("get", "/api/v1/learners/{learner_id}/progress"): Spec(lambda w, t: "", oracle.may_view_learner, LEARNERS),
    ("get", "/api/v1/institutions/{institution_id}/progress"): Spec(lambda w, t: "", oracle.may_view_institution_assessment,
                                                                     INSTITUTIONS),
    ("get", "/api/v1/learners/{learner_id}/sen"): Spec(lambda w, t: "", oracle.may_view_learner, LEARNERS),
    ("get", "/api/v1/institutions/{institution_id}/sen-register"): Spec(lambda w, t: "", oracle.may_view_sen_register,
                                                                         INSTITUTIONS),
    ("get", "/api/v1/institutions/{institution_id}/report-cycles"): Spec(lambda w, t: "", oracle.may_view_report_cycles,
                                                                          INSTITUTIONS),
    ("get", "/api/v1/report-cycles/{cycle_id}"): Spec(lambda w, t: "", oracle.may_view_report_cycles, ["a1", "b1"]),
    ("get", "/api/v1/report-cycles/{cycle_id}/groups/{group_id}/comments"): Spec(
        lambda w, t: "", lambda p, t: oracle.may_write_reports_for(p, t) and oracle.may_view_report_cycles(p, t.split(".")[0]),
        CYCLE_GROUPS),
    ("put", "/api/v1/report-cycles/{cycle_id}/groups/{group_id}/comments"): Spec(
        lambda w, t: "", lambda p, t: oracle.may_write_reports_for(p, t) and oracle.may_view_report_cycles(p, t.split(".")[0]),
        CYCLE_GROUPS, body=lambda w, t: {"comments": []}),
    ("get", "/api/v1/learners/{learner_id}/reports"): Spec(lambda w, t: "", oracle.may_view_learner, LEARNERS),
    ("get", "/api/v1/reports/{report_id}"): Spec(lambda w, t: "", oracle.may_read_published_report, PUBLISHED),
    # OneRoster exchange. The matrix posts JSON, which carries no file: those allowed through get the
    # import's own 422 ("attach the package"), everyone else 404. The real multipart upload is checked
    # persona by persona in commonroom/interop/tests/test_oneroster_api.py.
    ("get", "/api/v1/institutions/{institution_id}/oneroster"): Spec(lambda w, t: "", oracle.may_enrol_at, INSTITUTIONS),
    ("post", "/api/v1/institutions/{institution_id}/oneroster"): Spec(
        lambda w, t: "", oracle.may_enrol_at, INSTITUTIONS, ok=(422,), body=lambda w, t: {"dry_run": True},
    ),
    # CTF exchange. The matrix sends JSON, so the import gets no file: whoever may import reaches the
    # operation and is told to send one (422); everyone else gets 404 before the body is looked at.
    ("post", "/api/v1/institutions/{institution_id}/ctf/import"): Spec(
        lambda w, t: "", oracle.may_enrol_at, INSTITUTIONS, ok=(422,), body=lambda w, t: {"dry_run": True},
    ),
    ("post", "/api/v1/institutions/{institution_id}/ctf/export"): Spec(
        lambda w, t: "", oracle.may_enrol_at, ["a1", "a2", "b1"],
        body=lambda w, t: {"learner_ids": [w.learners[f"{t}.learnerA2"].pk], "qualifier": "partial"},
    ),
}


def _marksheet_body(world: World, group: str) -> dict:
    """An effort grade for learnerA2, who is in both maths and art (an empty list for a group with no aspects)."""
    from commonroom.records.models import Aspect, AssessmentResult

    inst = group.split(".")[0]
    effort = Aspect.objects.get(institution=world.institutions[inst], kind="effort")
    learner = world.learners[f"{inst}.learnerA2"]
    seen = AssessmentResult.objects.filter(aspect=effort, learner=learner, subject=world.groups[group].subject).first()
    return {"grades": [{"learner_id": learner.pk, "aspect_id": effort.pk, "value": "3",
                        "seen_version": seen.version if seen else 0}]}


def _register_body(world: World, group: str) -> dict:
    """Everyone on the group's register marked present (a register is saved whole)."""
    inst, suffix = group.split(".")
    members = oracle.GROUP_MEMBERS[suffix]
    marks = [{"learner_id": world.learners[f"{inst}.{who}"].pk, "code": "/",
              "seen_version": 1 if f"{inst}.{who}" in MARKED else 0} for who in sorted(members)]
    return {"date": _today().isoformat(), "session": "AM", "marks": marks}


def _lesson_body(world: World, inst: str) -> dict:
    members = sorted(oracle.GROUP_MEMBERS["maths"])
    return {"date": _today().isoformat(),
            "marks": [{"learner_id": world.learners[f"{inst}.{who}"].pk, "status": "present"} for who in members]}


def _category(world: World, learner: str, kind: str) -> int:
    from commonroom.records.models import BehaviourCategory

    return BehaviourCategory.objects.get(institution=world.institutions[learner.split(".")[0]], kind=kind, name="Matrix").pk


def _incident_body(world: World, learner: str) -> dict:
    from django.utils import timezone

    return {"institution_id": world.institutions[learner.split(".")[0]].pk, "category_id": _category(world, learner, "incident"),
            "severity": 1, "occurred_at": (timezone.now() - timezone.timedelta(days=40)).isoformat(),
            "description": "From the matrix", "learners": [{"learner_id": world.learners[learner].pk, "role": "participant"}]}


def _reward_body(world: World, learner: str) -> dict:
    return {"institution_id": world.institutions[learner.split(".")[0]].pk, "category_id": _category(world, learner, "reward"),
            "learner_ids": [world.learners[learner].pk]}


# Later apps describe their own endpoints (commonroom/<app>/tests/matrix_specs.py; see commonroom/testing/matrix.py).
APP_SPECS = app_spec_modules()
PLACEHOLDERS: dict[str, Callable[[World, str], int]] = {}
for _module in APP_SPECS:
    for _name, _spec in getattr(_module, "PAGE_SPECS", {}).items():
        assert _name not in PAGE_SPECS, f"{_name} has two specs"
        PAGE_SPECS[_name] = _spec
    for _key, _spec in getattr(_module, "API_SPECS", {}).items():
        assert _key not in API_SPECS, f"{_key} has two specs"
        API_SPECS[_key] = _spec
    PLACEHOLDERS.update(getattr(_module, "PLACEHOLDERS", {}))


def _walk(patterns, namespace: str | None = None):  # type: ignore[no-untyped-def]
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name
        elif isinstance(pattern, URLPattern):
            yield f"unnamed:{pattern.pattern}"


def api_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {(method, path) for path, item in schema["paths"].items() for method in item}


def test_every_endpoint_has_a_spec() -> None:
    names = set(_walk(get_resolver().url_patterns))
    api_names = {name for name in names if name.startswith("api-1:")} - API_PAGES
    pages = names - {name for name in names if name.startswith("api-1:")}
    missing = pages - set(PAGE_SPECS) - ALLAUTH_PUBLIC - ALLAUTH_OWN
    assert not missing, f"URL patterns with no authorisation spec: {sorted(missing)}"
    assert api_names, "the API exposes operations"
    missing_api = api_operations() - set(API_SPECS)
    assert not missing_api, f"API operations with no authorisation spec: {sorted(missing_api)}"


def _cases(specs):  # type: ignore[no-untyped-def]
    for key, spec in specs.items():
        for target in spec.targets:
            for persona in PERSONAS:
                yield pytest.param(key, target, persona, id=f"{key}|{target}|{persona}")


def _prepare_matrix_rows(world: World) -> None:
    """Rows the matrix needs beyond the persona world: a token, incidents, today's marks, and each app's own."""
    from django.utils import timezone

    from commonroom.identity.models import PersonalAccessToken
    from commonroom.records.models import AttendanceMark, BehaviourCategory, Incident, IncidentLearner

    PersonalAccessToken.objects.create(user=world.users["a1.head"], name="matrix", lookup="matrix00", token_hash="0" * 64)
    for inst in ("a1", "b1"):
        institution = world.institutions[inst]
        category = BehaviourCategory.objects.create(institution=institution, kind="incident", name="Matrix", points=1)
        BehaviourCategory.objects.create(institution=institution, kind="reward", name="Matrix", points=1)
        incident = Incident.objects.create(
            institution=institution, category=category, severity=1, occurred_at=timezone.now(), location="matrix",
            description="x", recorded_by=world.people[f"{inst}.teacher"], follow_up_owner=world.people[f"{inst}.tutor"],
        )
        for who in ("learnerA1", "learnerA2"):
            IncidentLearner.objects.create(institution=institution, incident=incident,
                                           learner=world.learners[f"{inst}.{who}"], role="participant", points=1)
    for key in MARKED:
        learner = world.learners[key]
        enrolment = learner.enrolments.get()
        AttendanceMark.objects.create(institution_id=enrolment.institution_id, learner=learner, enrolment=enrolment,
                                      date=_today(), session="AM", code="N")
    for module in APP_SPECS:
        if hasattr(module, "prepare"):
            module.prepare(world)


@pytest.fixture(scope="module")
def _matrix_module(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The matrix's rows and one signed-in session per persona, made once per module (per xdist worker).

    They are made inside an outer transaction that is rolled back when the module ends. Each test's
    own ``db`` transaction nests inside it as a savepoint, so whatever one request writes is undone
    before the next, as with Django's ``TestCase.setUpTestData``. Only the matrix's cases live in this
    module, so no other test sees these rows. Each case runs on a clock set back to the moment the rows
    were made (``_at_the_start``), so rows that depend on the time (a post still inside its edit
    window) mean the same for the last case as for the first.
    """
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = load_world()
            _prepare_matrix_rows(world)
            sessions = {}
            for persona in PERSONAS:
                if persona != "anonymous":
                    signer = Client()
                    signer.force_login(world.users[persona])
                    sessions[persona] = signer.cookies[settings.SESSION_COOKIE_NAME].value
            yield world, sessions, timezone.now()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _client_for(client, world: World, persona: str, sessions: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """The test client signed in as ``persona``: with its ready session if given, else by logging in."""
    if persona == "anonymous":
        return client
    if sessions is not None:
        from django.conf import settings

        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[persona]
    else:
        client.force_login(world.users[persona])
    return client


@pytest.fixture
def _at_the_start(_matrix_module):  # type: ignore[no-untyped-def]
    with time_machine.travel(_matrix_module[2], tick=True):
        yield


@pytest.mark.parametrize(("name", "target", "persona"), list(_cases(PAGE_SPECS)))
def test_page_matrix(client, _matrix_module, db, _at_the_start, name: str, target: str, persona: str) -> None:
    matrix_world, sessions, _started = _matrix_module
    spec = PAGE_SPECS[name]
    url = spec.url(matrix_world, target)
    response = getattr(_client_for(client, matrix_world, persona, sessions), spec.method)(url)
    if persona == "anonymous" and not spec.public:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        return
    if spec.allowed(persona, target):
        assert response.status_code in spec.ok, f"{persona} should reach {url}, got {response.status_code}"
    else:
        assert response.status_code == 404, f"{persona} must get 404 at {url}, got {response.status_code}"


@pytest.mark.parametrize(("name", "target", "persona"), list(_cases({f"{m} {p}": s for (m, p), s in API_SPECS.items()})))
def test_api_matrix(client, _matrix_module, db, _at_the_start, name: str, target: str, persona: str) -> None:
    matrix_world, sessions, _started = _matrix_module
    method, template = name.split(" ", 1)
    spec = API_SPECS[(method, template)]
    url = api_path(matrix_world, template, target)
    body = spec.body(matrix_world, target) if spec.body else {"name": "from matrix"}
    kwargs = {"data": body, "content_type": "application/json"} if method in ("post", "put") else {}
    response = getattr(_client_for(client, matrix_world, persona, sessions), method)(url, **kwargs)
    if persona == "anonymous":
        assert response.status_code == 401, url
    elif spec.allowed(persona, target):
        assert response.status_code in spec.ok, f"{persona} should reach {method} {url}, got {response.status_code}"
    else:
        assert response.status_code == 404, f"{persona} must get 404 at {method} {url}, got {response.status_code}"
