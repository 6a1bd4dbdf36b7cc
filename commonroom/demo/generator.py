"""Generated demo data: a local authority, its institutions, learners, staff, families and demo sign-ins.

Everything here is invented. Names come from the small lists below; UPNs and ULNs have valid check
characters but belong to nobody; phone numbers are in Ofcom's drama range (07700 900xxx); e-mail
addresses use the reserved domains example.org (families, demo accounts) and example.net (staff).
The same seed gives the same data within one academic year: dates are built relative to today,
everything else comes from ``random.Random(seed)``.

    result = build("default", seed=2026)      # all or nothing, in one transaction
    result.accounts                           # the demo sign-ins and their password

Rows are written with ``bulk_create``, which skips ``InstitutionOwned.save()``'s tenant check; the
plan guarantees it instead: every child row takes its institution from the very plan object its
parent was written from.
"""

from __future__ import annotations

import csv
import datetime
import math
import random
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.utils import timezone

from commonroom.authz.models import Role, RoleAssignment
from commonroom.common.dates import in_force
from commonroom.demo.terms import term_pattern
from commonroom.identity.models import User
from commonroom.organisations.models import AcademicYear, Institution, LocalAuthority, Term
from commonroom.people.identifiers import make_uln, make_upn
from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, GroupStaff, Learner, Person

BATCH = 2000
DEFAULT_SEED = 2026

# username -> role, in the order the accounts are printed. The role words are the CSV's.
DEMO_ACCOUNTS: dict[str, str] = {
    "demo.learner": "learner",
    "demo.parent": "parent",
    "demo.teacher": "teacher",
    "demo.tutor": "form tutor",
    "demo.senco": "SENCO",
    "demo.head": "head",
    "demo.office": "school office",
    "demo.officer": "local-authority officer",
    "demo.admin": "platform administrator",
    "demo.barred": "barred parent",
    "demo.governor": "governor",
    "demo.assessor": "ICT Mark assessor",
}
ACCOUNTS_HEADER = ("role", "username", "password", "institution")


# Sizes -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstitutionSpec:
    kind: str  # a key of PROFILES
    count: int
    learners: tuple[int, int]  # learners per institution, drawn from this inclusive range


SIZES: dict[str, tuple[InstitutionSpec, ...]] = {
    # For tests: the same structure and accounts as "default", a few learners each.
    "tiny": (
        InstitutionSpec("primary", 1, (15, 15)),
        InstitutionSpec("secondary", 1, (16, 16)),
        InstitutionSpec("special", 1, (12, 12)),
        InstitutionSpec("fe", 1, (12, 12)),
    ),
    "default": (
        InstitutionSpec("primary", 1, (350, 350)),
        InstitutionSpec("secondary", 1, (800, 800)),
        InstitutionSpec("special", 1, (80, 80)),
        InstitutionSpec("fe", 1, (300, 300)),
    ),
    "school": (InstitutionSpec("secondary", 1, (1200, 1200)),),
    # About 50 institutions and 40,000 learners: one- to three-form-entry primaries, large
    # secondaries with sixth forms, and two general FE colleges (which are large).
    "authority": (
        InstitutionSpec("primary", 36, (200, 700)),
        InstitutionSpec("secondary", 10, (1100, 1800)),
        InstitutionSpec("special", 2, (90, 150)),
        InstitutionSpec("fe", 2, (3800, 5200)),
    ),
}
PUBLIC_SIZES = ("default", "school", "authority")


@dataclass(frozen=True)
class KindProfile:
    kind: str
    phase: str
    estab_base: int  # establishment numbers are drawn from estab_base .. estab_base + 999
    years: dict[int, float]  # NC year -> share of the roll
    form_size: int
    suffixes: tuple[str, ...]


PROFILES: dict[str, KindProfile] = {
    "primary": KindProfile(
        Institution.Kind.PRIMARY,
        Institution.Phase.PRIMARY,
        2000,
        dict.fromkeys(range(0, 7), 1.0),
        30,
        (
            "Primary School",
            "Primary School",
            "Primary Academy",
            "Church of England Primary School",
            "Community Primary School",
        ),
    ),
    "secondary": KindProfile(
        Institution.Kind.SECONDARY,
        Institution.Phase.SECONDARY,
        4000,
        {**dict.fromkeys(range(7, 12), 1.0), 12: 0.6, 13: 0.55},
        28,
        ("Academy", "High School", "School", "Community School"),
    ),
    "special": KindProfile(
        Institution.Kind.SPECIAL, Institution.Phase.ALL_THROUGH, 7000, dict.fromkeys(range(1, 14), 1.0), 10, ("School",)
    ),
    "fe": KindProfile(
        Institution.Kind.FE_COLLEGE, Institution.Phase.POST_16, 8000, {12: 0.45, 13: 0.4, 14: 0.15}, 20, ("College",)
    ),
}

PRIMARY_CLASS_SUBJECTS = (("Ma", "Maths"), ("En", "English"), ("Sc", "Science"))
SPECIAL_CLASS_SUBJECTS = (("Ma", "Maths"), ("En", "English"), ("Ls", "Life skills"))
SPECIALIST_SUBJECT = ("PE", "PE")
KS3_SUBJECTS = (
    ("Ma", "Maths"), ("En", "English"), ("Sc", "Science"), ("Hi", "History"),
    ("Gg", "Geography"), ("Fr", "French"), ("Ar", "Art"), ("Cp", "Computing"),
)  # fmt: skip
KS4_CORE = (("Ma", "Maths"), ("En", "English"), ("Sc", "Science"))
KS4_OPTIONS = (
    ("Hi", "History"), ("Gg", "Geography"), ("Fr", "French"), ("Sp", "Spanish"), ("Ar", "Art"),
    ("Cp", "Computer science"), ("Dr", "Drama"), ("Bs", "Business"), ("Mu", "Music"),
)  # fmt: skip
KS5_OPTIONS = (
    ("Ma", "Maths"), ("Bi", "Biology"), ("Ch", "Chemistry"), ("Ph", "Physics"), ("El", "English literature"),
    ("Hi", "History"), ("Ps", "Psychology"), ("Ec", "Economics"), ("Ar", "Art"), ("Cp", "Computer science"),
    ("Gg", "Geography"), ("So", "Sociology"),
)  # fmt: skip
FE_COURSES = (
    ("Eng", "Engineering"), ("Hsc", "Health and social care"), ("Con", "Construction"), ("It", "Digital and IT"),
    ("Bus", "Business"), ("Cat", "Hospitality and catering"), ("Art", "Art and design"), ("Spo", "Sport"),
)  # fmt: skip
FE_RESITS = (("EnR", "GCSE English resit"), ("MaR", "GCSE Maths resit"))
FORM_LETTERS = "ABCDEFGHJKLMN"

# Names -------------------------------------------------------------------------------------------

FEMALE_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Freya", "Lily", "Grace", "Sophia", "Ella", "Evie", "Aisha",
    "Amira", "Fatima", "Zara", "Maryam", "Priya", "Anaya", "Simran", "Harleen", "Chloe", "Niamh", "Aoife",
    "Ffion", "Seren", "Eilidh", "Catriona", "Ada", "Ruby", "Poppy", "Willow", "Ivy", "Florence", "Rosie",
    "Hannah", "Esme", "Daisy", "Phoebe", "Imani", "Adaeze", "Chiamaka", "Nia", "Kezia", "Leah", "Yasmin",
    "Hafsa", "Ayesha", "Mei", "Oliwia", "Zuzanna", "Maja", "Ioana", "Elif", "Layla", "Sofia", "Hiba",
    "Tamsin", "Bethan", "Rhiannon", "Alys", "Kirsty", "Sinead", "Abena", "Precious", "Jasmine", "Keira",
)  # fmt: skip
MALE_NAMES = (
    "Oliver", "George", "Noah", "Arthur", "Leo", "Oscar", "Harry", "Jack", "Charlie", "Muhammad", "Yusuf",
    "Ibrahim", "Ayaan", "Arjun", "Rohan", "Harjit", "Dylan", "Rhys", "Owen", "Gethin", "Callum", "Euan",
    "Ruaridh", "Lachlan", "Fionn", "Cian", "Finlay", "Alfie", "Theo", "Freddie", "Archie", "Jacob", "Samuel",
    "Joshua", "Kwame", "Kofi", "Tobi", "Chidi", "Emeka", "Tunde", "Jayden", "Malachi", "Tyrese", "Reuben",
    "Ezra", "Isaac", "Kacper", "Jakub", "Filip", "Andrei", "Mehmet", "Omar", "Hamza", "Zain", "Bilal", "Wei",
    "Jun", "Kieran", "Declan", "Lewis", "Jamie", "Daniel", "Nathan", "Elijah",
)  # fmt: skip
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward",
    "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott",
    "Phillips", "Watson", "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook",
    "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Khan", "Ahmed", "Ali",
    "Hussain", "Begum", "Rahman", "Islam", "Akhtar", "Iqbal", "Shah", "Singh", "Kaur", "Sharma", "Gill",
    "Sandhu", "Kumar", "Mistry", "Chauhan", "Okafor", "Adeyemi", "Mensah", "Owusu", "Boateng", "Osei",
    "Okoye", "Eze", "Campbell", "Stewart", "MacDonald", "Fraser", "Robertson", "Reid", "Murray", "Kennedy",
    "O'Brien", "O'Neill", "Byrne", "Doyle", "Quinn", "McCarthy", "Llewellyn", "Pritchard", "Jenkins",
    "Powell", "Nowak", "Kowalski", "Wisniewski", "Popescu", "Nguyen", "Chen", "Wong", "Li", "Yilmaz",
    "Demir", "Santos", "Silva", "Da Costa", "Gordon", "Francis", "Grant", "Forbes",
)  # fmt: skip
PLACES = (
    "Ashgrove", "Brookfield", "Castlegate", "Deansfield", "Elmhurst", "Fairholme", "Greenbank", "Hawthorn",
    "Highfield", "Kingsmead", "Larchwood", "Meadowside", "Northgate", "Oakwood", "Parkside", "Queensway",
    "Riverside", "Sandholme", "Thornfield", "Underhill", "Valley Road", "Westcroft", "Willowbrook",
    "Yewtree", "Abbeyfields", "Beechcroft", "Cherry Tree", "Dovecote", "Eastbrook", "Foxhill", "Glebelands",
    "Hollybank", "Ivydene", "Juniper Green", "Kestrel Way", "Limes Farm", "Millbrook", "Netherfield",
    "Orchard Lea", "Pinewood", "Quarry Bank", "Rosehill", "St Aidan's", "St Hilda's", "St Mary's", "Tanners Lane",
    "Upton Heath", "Victoria Park", "Wharfedale", "Alder Grange", "Bramley Moor", "Coppice Hill", "Dunmore",
    "Fernlea", "Gorse Hill", "Heathcote", "Linden Grove", "Marsh Lane", "Nightingale", "Old Mill", "Redbrook",
)  # fmt: skip
TOWNS = ("Northmere", "Southvale", "Kestermoor", "Lynford", "Harrowdene", "Westbury Vale", "Ashby Marsh")

_SLUG = re.compile(r"[^a-z0-9]+")


# The plan: plain objects, ids filled in as they are written ---------------------------------------


@dataclass(slots=True, eq=False)
class PersonPlan:
    given: str
    family: str
    sex: str
    dob: datetime.date
    email: str = ""
    phone: str = ""
    id: int = 0  # set once written


@dataclass(slots=True, eq=False)
class InstPlan:
    key: str
    place: str
    name: str
    kind: str
    phase: str
    urn: str
    estab: str
    id: int = 0  # set once written
    year_id: int = 0
    groups: list[GroupPlan] = field(default_factory=list)
    learners: list[LearnerPlan] = field(default_factory=list)
    roles: list[tuple[PersonPlan, str]] = field(default_factory=list)
    group_staff: list[tuple[GroupPlan, PersonPlan, str]] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class GroupPlan:
    inst: InstPlan
    kind: str
    code: str
    name: str
    nc_year: int | None
    subject: str = ""
    year_group: GroupPlan | None = None
    id: int = 0  # set once written


@dataclass(slots=True, eq=False)
class LearnerPlan:
    person: PersonPlan
    inst: InstPlan
    nc_year: int
    upn: str
    uln: str | None
    start: datetime.date
    groups: list[GroupPlan] = field(default_factory=list)
    in_family: bool = False


@dataclass(slots=True, eq=False)
class LinkPlan:
    learner: LearnerPlan
    contact: PersonPlan
    relationship: str
    priority: int
    start: datetime.date
    parental_responsibility: bool = True
    may_receive_reports: bool = True
    lives_with_learner: bool = True
    access_barred: bool = False


@dataclass
class DemoPlan:
    authority_name: str
    la_number: str
    year_start: datetime.date
    year_name: str
    institutions: list[InstPlan]
    officer: PersonPlan
    admin: PersonPlan
    contacts: list[PersonPlan]
    links: list[LinkPlan]
    accounts: dict[str, PersonPlan]
    today: datetime.date = field(default_factory=datetime.date.today)
    governor: PersonPlan | None = None  # of the secondary school (drawn last: earlier data is unchanged)
    assessor: PersonPlan | None = None  # ICT Mark assessor for the authority


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str
    institution: str


@dataclass
class DemoResult:
    size: str
    seed: int
    password: str
    accounts: list[DemoAccount]
    counts: dict[str, int]
    seconds: float
    built: bool = True


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


class DemoDataExists(RuntimeError):
    """The database already holds institutions or authorities: reuse them, or build with reset=True."""


# Small helpers -----------------------------------------------------------------------------------

T = TypeVar("T")


def academic_year_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def demo_password(seed: int) -> str:
    """One readable password for every demo account, derived from the seed."""
    return f"commonroom-demo-{random.Random(f'password-{seed}').randrange(1000, 10000)}"


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _split(items: Sequence[T], size: int) -> list[list[T]]:
    """Split into as few even parts as keep each within ``size``."""
    parts = max(1, math.ceil(len(items) / size))
    return [list(items[i * len(items) // parts : (i + 1) * len(items) // parts]) for i in range(parts)]


def _apportion(total: int, weights: dict[int, float]) -> dict[int, int]:
    """Share ``total`` out by weight (largest remainder), keeping the keys' order."""
    whole = sum(weights.values())
    raw = {key: total * weight / whole for key, weight in weights.items()}
    counts = {key: math.floor(value) for key, value in raw.items()}
    left = total - sum(counts.values())
    for key in sorted(raw, key=lambda k: (counts[k] - raw[k], k))[:left]:
        counts[key] += 1
    return counts


def _age(dob: datetime.date, on: datetime.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _year_label(nc: int) -> str:
    return "R" if nc == 0 else str(nc)


def _year_name(nc: int) -> str:
    return "Reception" if nc == 0 else f"Year {nc}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _slug(text: str) -> str:
    return _SLUG.sub("", text.lower())


# Planning ----------------------------------------------------------------------------------------


class Planner:
    """Decides every row in memory, from one seeded random generator, before anything is written."""

    def __init__(self, specs: Sequence[InstitutionSpec], seed: int, today: datetime.date) -> None:
        self.rng = random.Random(seed)
        self.specs = specs
        self.today = today
        self.year_start = academic_year_start(today)
        self.year = self.year_start.year
        self.la_number = f"{self.rng.randrange(100, 1000):03d}"
        self.serials: Counter[tuple[str, int]] = Counter()
        self.ulns: set[str] = set()
        self.emails: Counter[str] = Counter()

    def plan(self) -> DemoPlan:
        rng = self.rng
        town = rng.choice(TOWNS)
        total = sum(spec.count for spec in self.specs)
        places = rng.sample(PLACES, total)
        urns = rng.sample(range(100000, 1000000), total)
        institutions: list[InstPlan] = []
        for spec in self.specs:
            estabs = rng.sample(
                range(PROFILES[spec.kind].estab_base, PROFILES[spec.kind].estab_base + 1000), spec.count
            )
            for estab in estabs:
                place = town if spec.kind == "fe" and not any(i.key == "fe" for i in institutions) else places.pop()
                learners = rng.randint(*spec.learners)
                institutions.append(self.institution(spec.kind, place, f"{urns.pop():06d}", f"{estab:04d}", learners))
        officer = self.adult("example.org", age=(30, 60))
        admin = self.adult("example.org", age=(25, 55))
        contacts, links, parent, barred = self.families(institutions)
        accounts = self.pick_accounts(institutions, officer, admin, parent, barred)
        governor = self.adult("example.org", age=(35, 70))
        assessor = self.adult("example.org", age=(35, 65))
        accounts |= {"demo.governor": governor, "demo.assessor": assessor}
        return DemoPlan(
            authority_name=f"{town} {'County' if total > 10 else 'Borough'} Council (demo)",
            la_number=self.la_number,
            year_start=self.year_start,
            year_name=f"{self.year}/{(self.year + 1) % 100:02d}",
            institutions=institutions,
            officer=officer,
            admin=admin,
            contacts=contacts,
            links=links,
            accounts=accounts,
            today=self.today,
            governor=governor,
            assessor=assessor,
        )

    # People

    def name(self, sex: str) -> str:
        return self.rng.choice(FEMALE_NAMES if sex == "F" else MALE_NAMES)

    def email(self, given: str, family: str, domain: str) -> str:
        base = f"{_slug(given)}.{_slug(family)}"
        self.emails[f"{base}@{domain}"] += 1
        count = self.emails[f"{base}@{domain}"]
        return f"{base}{count if count > 1 else ''}@{domain}"

    def phone(self) -> str:
        return f"07700 900{self.rng.randrange(1000):03d}"

    def adult(
        self, domain: str, *, sex: str | None = None, family: str | None = None, age: tuple[int, int] = (24, 62)
    ) -> PersonPlan:
        rng = self.rng
        sex = sex or rng.choice("FM")
        given = self.name(sex)
        family = family or rng.choice(SURNAMES)
        born = self.year_start - datetime.timedelta(days=rng.randint(age[0] * 365, age[1] * 365))
        return PersonPlan(given, family, sex, born, self.email(given, family, domain), self.phone())

    def upn(self, inst: InstPlan, year: int) -> str:
        """The next serial for (institution, year); later years once a year's 999 serials are used."""
        for allocated in range(min(year, self.year), self.year + 1):
            key = (inst.estab, allocated)
            if self.serials[key] < 999:
                self.serials[key] += 1
                return make_upn(self.la_number, inst.estab, allocated, self.serials[key])
        raise RuntimeError(f"no UPN serials left for {inst.name}")

    def uln(self) -> str:
        while True:
            uln = make_uln(self.rng.randrange(100_000_000, 1_000_000_000))
            if uln is not None and uln not in self.ulns:
                self.ulns.add(uln)
                return uln

    def learner(self, inst: InstPlan, nc: int) -> LearnerPlan:
        rng = self.rng
        sex = rng.choice("FM")
        cohort = self.year - nc - 5  # born 1 Sept cohort .. 31 Aug cohort+1
        if inst.key == "fe" and nc == 14 and rng.random() < 0.3:
            cohort -= 1
        first = datetime.date(cohort, 9, 1)
        dob = first + datetime.timedelta(days=rng.randrange((datetime.date(cohort + 1, 9, 1) - first).days))
        person = PersonPlan(self.name(sex), rng.choice(SURNAMES), sex, dob)
        upn = self.upn(inst, cohort + 5)
        uln = self.uln() if _age(dob, self.today) >= 14 else None
        return LearnerPlan(person, inst, nc, upn, uln, self.enrolment_start(inst.key, nc, cohort))

    def enrolment_start(self, key: str, nc: int, cohort: int) -> datetime.date:
        rng = self.rng
        first = {"primary": cohort + 5, "secondary": self.year - (nc - 7), "fe": self.year - (nc - 12)}.get(
            key, max(cohort + 5, self.year - 6)
        )
        first = min(first, self.year)
        if key == "special" or rng.random() < 0.08:  # joined later than the usual entry year
            first = rng.randint(first, self.year)
        return datetime.date(first, 9, 1)

    # Institutions

    def institution(self, key: str, place: str, urn: str, estab: str, size: int) -> InstPlan:
        profile = PROFILES[key]
        name = f"{place} {self.rng.choice(profile.suffixes)}"
        inst = InstPlan(key, place, name, profile.kind, profile.phase, urn, estab)
        forms: list[tuple[GroupPlan, list[LearnerPlan]]] = []
        teaching: list[GroupPlan] = []
        year_groups: list[GroupPlan] = []
        for nc, count in _apportion(size, profile.years).items():
            if count == 0:
                continue
            year_group = self.group(inst, Group.Kind.YEAR, f"Y{_year_label(nc)}", _year_name(nc), nc)
            year_groups.append(year_group)
            cohort = [self.learner(inst, nc) for _ in range(count)]
            inst.learners.extend(cohort)
            for learner in cohort:
                learner.groups.append(year_group)
            year_forms = self.forms(inst, year_group, cohort, profile.form_size)
            forms.extend(year_forms)
            if key in ("secondary", "fe"):
                teaching.extend(self.subject_groups(inst, nc, cohort))
        self.leadership(inst, size)
        if key in ("primary", "special"):
            self.class_staff(inst, forms, size)
        else:
            self.subject_staff(inst, forms, teaching, year_groups if key == "secondary" else [], size)
        return inst

    def group(
        self,
        inst: InstPlan,
        kind: str,
        code: str,
        name: str,
        nc: int | None,
        subject: str = "",
        year_group: GroupPlan | None = None,
    ) -> GroupPlan:
        group = GroupPlan(inst, kind, code, name, nc, subject, year_group)
        inst.groups.append(group)
        return group

    def forms(
        self, inst: InstPlan, year_group: GroupPlan, cohort: list[LearnerPlan], size: int
    ) -> list[tuple[GroupPlan, list[LearnerPlan]]]:
        nc = year_group.nc_year
        assert nc is not None
        shuffled = cohort[:]
        self.rng.shuffle(shuffled)
        parts = _split(shuffled, size)
        result = []
        for index, members in enumerate(parts):
            if inst.key == "fe" or len(parts) > len(FORM_LETTERS):
                code = f"{nc}T{index + 1}"
            else:
                code = f"{_year_label(nc)}{FORM_LETTERS[index]}"
            label = {"primary": "Class", "special": "Class", "secondary": "Form"}.get(inst.key, "Tutor group")
            form = self.group(inst, Group.Kind.REGISTRATION, code, f"{label} {code}", nc, year_group=year_group)
            for learner in members:
                learner.groups.append(form)
            result.append((form, members))
        return result

    def subject_groups(self, inst: InstPlan, nc: int, cohort: list[LearnerPlan]) -> list[GroupPlan]:
        """Sets per subject for a secondary or college year: core for all, options chosen per learner."""
        rng = self.rng
        takers: dict[tuple[str, str], list[LearnerPlan]] = {}
        if inst.key == "fe":
            for learner in cohort:
                takers.setdefault(rng.choice(FE_COURSES), []).append(learner)
                for resit in FE_RESITS:
                    if rng.random() < 0.4:
                        takers.setdefault(resit, []).append(learner)
            set_size = 20
        elif nc <= 11:
            core, options, chosen = (KS3_SUBJECTS, (), 0) if nc <= 9 else (KS4_CORE, KS4_OPTIONS, 3)
            for course in core:
                takers[course] = cohort[:]
            for learner in cohort:
                for course in rng.sample(options, chosen):
                    takers.setdefault(course, []).append(learner)
            set_size = 30
        else:
            for learner in cohort:
                for course in rng.sample(KS5_OPTIONS, 3):
                    takers.setdefault(course, []).append(learner)
            set_size = 20
        groups = []
        ordered = [s for s in (*KS3_SUBJECTS, *KS4_OPTIONS, *KS5_OPTIONS, *FE_COURSES, *FE_RESITS) if s in takers]
        for abbr, subject in dict.fromkeys(ordered):
            members = takers[(abbr, subject)][:]
            rng.shuffle(members)
            sets = _split(members, set_size)
            for index, part in enumerate(sets):
                suffix = f" {index + 1}" if len(sets) > 1 else ""
                group = self.group(
                    inst, Group.Kind.TEACHING, f"{nc}{abbr}{index + 1}", f"Year {nc} {subject}{suffix}", nc, subject
                )
                groups.append(group)
                for learner in part:
                    learner.groups.append(group)
        return groups

    # Staff

    def staff_member(self, inst: InstPlan, role: str) -> PersonPlan:
        person = self.adult(f"{_slug(inst.place)}.example.net")
        inst.roles.append((person, role))
        return person

    def leadership(self, inst: InstPlan, size: int) -> None:
        for role in (Role.HEAD, Role.LEADER, Role.SENCO, Role.DSL):
            self.staff_member(inst, role)
        for _ in range(2 if size > 300 or self.rng.random() < 0.5 else 1):
            self.staff_member(inst, Role.OFFICE)

    def class_staff(self, inst: InstPlan, forms: list[tuple[GroupPlan, list[LearnerPlan]]], size: int) -> None:
        """Primary and special: the class teacher tutors the class and teaches its core subjects; PE by specialists."""
        subjects = PRIMARY_CLASS_SUBJECTS if inst.key == "primary" else SPECIAL_CLASS_SUBJECTS
        class_teachers = [self.staff_member(inst, Role.TEACHER) for _ in forms]
        specialists = [self.staff_member(inst, Role.TEACHER) for _ in range(max(1, math.ceil(size / 20) - len(forms)))]
        for index, ((form, members), teacher) in enumerate(zip(forms, class_teachers, strict=True)):
            inst.group_staff.append((form, teacher, GroupStaff.Role.TUTOR))
            nc = form.nc_year
            assert nc is not None
            for abbr, subject in (*subjects, SPECIALIST_SUBJECT):
                group = self.group(
                    inst,
                    Group.Kind.TEACHING,
                    f"{form.code}{abbr}",
                    f"{_year_name(nc)} {subject} ({form.code})",
                    nc,
                    subject,
                )
                for learner in members:
                    learner.groups.append(group)
                taught_by = specialists[index % len(specialists)] if abbr == SPECIALIST_SUBJECT[0] else teacher
                inst.group_staff.append((group, taught_by, GroupStaff.Role.TEACHER))

    def subject_staff(
        self,
        inst: InstPlan,
        forms: list[tuple[GroupPlan, list[LearnerPlan]]],
        teaching: list[GroupPlan],
        year_groups: list[GroupPlan],
        size: int,
    ) -> None:
        """Secondary and college: tutors, heads of year and subject teachers (some teach only)."""
        count = max(math.ceil(size / 20), len(forms) + len(year_groups) + 2)
        teachers = [self.staff_member(inst, Role.TEACHER) for _ in range(count)]
        tutors, heads_of_year, rest = (
            teachers[: len(forms)],
            teachers[len(forms) : len(forms) + len(year_groups)],
            teachers[len(forms) + len(year_groups) :],
        )
        for (form, _members), tutor in zip(forms, tutors, strict=True):
            inst.group_staff.append((form, tutor, GroupStaff.Role.TUTOR))
        for year_group, head in zip(year_groups, heads_of_year, strict=True):
            inst.group_staff.append((year_group, head, GroupStaff.Role.HEAD_OF_YEAR))
        # Each subject gets a share of the teachers in turn; teachers who tutor nothing come first.
        order = rest + heads_of_year + tutors
        by_subject: dict[str, list[GroupPlan]] = {}
        for group in teaching:
            by_subject.setdefault(group.subject, []).append(group)
        cursor = 0
        for groups in by_subject.values():
            share = min(len(groups), max(1, round(len(order) * len(groups) / len(teaching))))
            staff = [order[(cursor + i) % len(order)] for i in range(share)]
            cursor += share
            for index, group in enumerate(groups):
                inst.group_staff.append((group, staff[index % share], GroupStaff.Role.TEACHER))

    # Families

    def families(self, institutions: list[InstPlan]) -> tuple[list[PersonPlan], list[LinkPlan], PersonPlan, PersonPlan]:
        """Every learner gets 1-2 contacts; about 15% of families have 2-3 children, often at different institutions.

        Two families are planted: the demo parent's (children at a primary and the secondary) and the
        one family with a barred parent.
        """
        rng = self.rng
        contacts: list[PersonPlan] = []
        links: list[LinkPlan] = []
        secondary = next(i for i in institutions if i.key == "secondary")
        primary = next((i for i in institutions if i.key == "primary"), None)

        def free(inst: InstPlan, years: Iterable[int]) -> LearnerPlan:
            wanted = set(years)
            return next(lr for lr in inst.learners if not lr.in_family and lr.nc_year in wanted)

        younger = free(primary, range(1, 7)) if primary else free(secondary, [7])
        parent_children = [younger, free(secondary, [8, 9])]
        parent = self.family(parent_children, contacts, links, style="couple")[0]
        barred = self.family([free(secondary, [8, 9, 7])], contacts, links, style="barred")[1]

        pool = [learner for inst in institutions for learner in inst.learners]
        rng.shuffle(pool)
        for index, root in enumerate(pool):
            if root.in_family:
                continue
            children = [root]
            root.in_family = True
            if rng.random() < 0.15:
                wanted = 1 if rng.random() < 0.7 else 2
                for other in pool[index + 1 : index + 60]:
                    if len(children) > wanted:
                        break
                    if not other.in_family and all(other.nc_year != c.nc_year for c in children):
                        other.in_family = True
                        children.append(other)
            self.family(children, contacts, links)
        return contacts, links, parent, barred

    def family(
        self, children: list[LearnerPlan], contacts: list[PersonPlan], links: list[LinkPlan], style: str = ""
    ) -> list[PersonPlan]:
        """Make the contacts for these children and link each child to each; return the contacts by priority."""
        rng = self.rng
        family_name = children[0].person.family
        for child in children:
            child.in_family = True
            child.person.family = family_name
        oldest = min(child.person.dob for child in children)
        roll = rng.random()
        style = style or (
            "separated" if roll < 0.05 else "couple" if roll < 0.55 else "single" if roll < 0.85
            else "step" if roll < 0.90 else "grandparent" if roll < 0.95 else "same_sex" if roll < 0.97 else "foster"
        )  # fmt: skip

        def person(sex: str, older: tuple[int, int], surname: str | None = None) -> PersonPlan:
            given = self.name(sex)
            family = surname or family_name
            born = oldest - datetime.timedelta(days=rng.randint(older[0] * 365, older[1] * 365))
            made = PersonPlan(given, family, sex, born, self.email(given, family, "example.org"), self.phone())
            contacts.append(made)
            return made

        def other_surname() -> str | None:
            return rng.choice(SURNAMES) if rng.random() < 0.4 else None

        parent_age = (19, 42)
        # (person, relationship, parental responsibility, lives with, receives reports, barred, from birth)
        chosen: list[tuple[PersonPlan, str, bool, bool, bool, bool, bool]]
        if style in ("couple", "separated", "barred"):
            mother = (person("F", parent_age, other_surname()), "mother")
            father = (person("M", parent_age), "father")
            first, second = (mother, father) if style == "barred" or rng.random() < 0.7 else (father, mother)
            apart = style != "couple"
            chosen = [
                (first[0], first[1], True, True, True, False, True),
                (second[0], second[1], True, not apart, style != "barred", style == "barred", True),
            ]
        elif style == "single":
            sex = "F" if rng.random() < 0.85 else "M"
            chosen = [(person(sex, parent_age), "mother" if sex == "F" else "father", True, True, True, False, True)]
        elif style == "step":
            chosen = [
                (person("F", parent_age), "mother", True, True, True, False, True),
                (person("M", parent_age, rng.choice(SURNAMES)), "step_parent", False, True, True, False, False),
            ]
        elif style == "same_sex":
            sex = rng.choice("FM")
            chosen = [
                (person(sex, parent_age), "parent", True, True, True, False, True),
                (person(sex, parent_age, other_surname()), "parent", True, True, True, False, True),
            ]
        elif style == "grandparent":
            chosen = [(person(rng.choice("FFM"), (45, 70)), "grandparent", False, True, True, False, False)]
        else:
            chosen = [(person("F", (28, 55), rng.choice(SURNAMES)), "foster_carer", False, True, True, False, False)]
        for child in children:
            for priority, (contact, relationship, pr, lives, reports, barred, from_birth) in enumerate(chosen, start=1):
                links.append(
                    LinkPlan(
                        learner=child,
                        contact=contact,
                        relationship=relationship,
                        priority=priority,
                        start=child.person.dob if from_birth else child.start,
                        parental_responsibility=pr,
                        may_receive_reports=reports,
                        lives_with_learner=lives,
                        access_barred=barred,
                    )
                )
        return [entry[0] for entry in chosen]

    # Accounts

    def pick_accounts(
        self,
        institutions: list[InstPlan],
        officer: PersonPlan,
        admin: PersonPlan,
        parent: PersonPlan,
        barred: PersonPlan,
    ) -> dict[str, PersonPlan]:
        secondary = next(i for i in institutions if i.key == "secondary")
        learner = next(lr for lr in secondary.learners if lr.nc_year in (10, 11) and lr.uln)
        roles: dict[int, set[str]] = {}
        taught: Counter[int] = Counter()
        people: dict[int, PersonPlan] = {}
        for _group, person, role in secondary.group_staff:
            roles.setdefault(id(person), set()).add(role)
            people[id(person)] = person
            if role == GroupStaff.Role.TEACHER:
                taught[id(person)] += 1
        only_teaching = [key for key, held in roles.items() if held == {GroupStaff.Role.TEACHER}]
        teacher = people[max(only_teaching, key=lambda key: taught[key])]
        tutor = next(
            people[key] for key, held in roles.items() if {GroupStaff.Role.TUTOR, GroupStaff.Role.TEACHER} <= held
        )
        holder = {role: person for person, role in secondary.roles}
        return {
            "demo.learner": learner.person,
            "demo.parent": parent,
            "demo.teacher": teacher,
            "demo.tutor": tutor,
            "demo.senco": holder[Role.SENCO],
            "demo.head": holder[Role.HEAD],
            "demo.office": holder[Role.OFFICE],
            "demo.officer": officer,
            "demo.admin": admin,
            "demo.barred": barred,
        }


# Writing -----------------------------------------------------------------------------------------


def _bulk(model: type[models.Model], rows: Iterable[models.Model]) -> int:
    count = 0
    for chunk in _chunks(rows, BATCH):
        model._default_manager.bulk_create(chunk, batch_size=BATCH)
        count += len(chunk)
    return count


def _write_people(plans: Iterable[PersonPlan]) -> int:
    """Write people in batches and keep each one's id on its plan."""
    count = 0
    for chunk in _chunks(plans, BATCH):
        rows = [
            Person(
                given_name=p.given,
                family_name=p.family,
                date_of_birth=p.dob,
                sex=p.sex,
                email=p.email,
                phone=p.phone,
            )
            for p in chunk
        ]
        Person.objects.bulk_create(rows, batch_size=BATCH)
        for plan, row in zip(chunk, rows, strict=True):
            assert row.pk, "the database must return ids from bulk inserts"
            plan.id = row.pk
        count += len(chunk)
    return count


def _all_people(plan: DemoPlan) -> Iterator[PersonPlan]:
    yield plan.officer
    yield plan.admin
    for inst in plan.institutions:
        for person, _role in inst.roles:
            yield person
        for learner in inst.learners:
            yield learner.person
    yield from plan.contacts
    for extra in (plan.governor, plan.assessor):
        if extra is not None:
            yield extra


def _write_institutions(plan: DemoPlan, authority: LocalAuthority) -> None:
    rows = [
        Institution(
            name=inst.name,
            kind=inst.kind,
            phase=inst.phase,
            urn=inst.urn,
            local_authority=authority,
            la_number=plan.la_number,
            estab_number=inst.estab,
        )
        for inst in plan.institutions
    ]
    Institution.objects.bulk_create(rows)
    for inst, row in zip(plan.institutions, rows, strict=True):
        inst.id = row.pk
    year_end = datetime.date(plan.year_start.year + 1, 8, 31)
    years = [
        AcademicYear(institution_id=inst.id, name=plan.year_name, start_date=plan.year_start, end_date=year_end)
        for inst in plan.institutions
    ]
    AcademicYear.objects.bulk_create(years)
    terms = term_pattern(plan.year_start.year)
    for inst, year in zip(plan.institutions, years, strict=True):
        inst.year_id = year.pk
    _bulk(
        Term,
        (
            Term(institution_id=inst.id, academic_year_id=inst.year_id, name=name, start_date=first, end_date=last)
            for inst in plan.institutions
            for name, first, last in terms
        ),
    )


def _school_days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    days: list[datetime.date] = []
    for year in range(first.year - 1, last.year + 1):
        for _name, start, end in term_pattern(year):
            day = max(start, first)
            while day <= min(end, last):
                if day.weekday() < 5:
                    days.append(day)
                day += datetime.timedelta(days=1)
    return days


# Absence: most learners rarely miss a session; a few are persistent, and fewer severe, absentees.
_ABSENCE_PROFILES = ((0.74, 0.025), (0.18, 0.07), (0.07, 0.16), (0.01, 0.6))
_ABSENCE_CODES = ("I",) * 11 + ("M",) * 2 + ("O", "G", "U", "R", "C2", "E", "S")
_MARK_COLUMNS = (
    "institution_id", "learner_id", "enrolment_id", "date", "session", "code", "explanation", "minutes_late",
    "version", "source", "created_at", "updated_at",
)


def _insert_rows(cursor: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Many rows at once: PostgreSQL's COPY (an order of magnitude faster than INSERT), else executemany.
    Table and column names are our own constants; every value is a bound parameter."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)  # noqa: S608


def _write_attendance(plan: DemoPlan, today: datetime.date, seed: int, say: Any) -> int:
    """A year of AM and PM marks (every school day from a year ago to yesterday, from each learner's
    enrolment), written with plain batched inserts: the authority size is millions of rows.
    The last three school days keep a few N marks (reasons not yet established) for the office."""
    from django.db import connection

    from commonroom.records.models import AttendanceMark

    rng = random.Random(seed + 1)
    days = _school_days(today - datetime.timedelta(days=365), today - datetime.timedelta(days=1))
    recent = set(days[-3:])
    enrolment_ids = dict(Enrolment.objects.values_list("learner_id", "id"))
    table = AttendanceMark._meta.db_table
    stamp = timezone.now()
    total = 0
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for inst in plan.institutions:
            for lr in inst.learners:
                pick, profile = rng.random(), _ABSENCE_PROFILES[-1][1]
                for share, rate in _ABSENCE_PROFILES:
                    if pick < share:
                        profile = rate
                        break
                    pick -= share
                enrolment = enrolment_ids[lr.person.id]
                for day in days:
                    if day < lr.start:
                        continue
                    for session, present in (("AM", "/"), ("PM", "\\")):
                        roll = rng.random()
                        if roll < profile:
                            code = "N" if day in recent and rng.random() < 0.5 else rng.choice(_ABSENCE_CODES)
                        elif roll < profile + 0.02:
                            code = "L"
                        elif roll < profile + 0.025:
                            code = "V"
                        else:
                            code = present
                        late = rng.randint(3, 25) if code == "L" else None
                        batch.append((inst.id, lr.person.id, enrolment, day, session, code, "", late, 1, "register", stamp, stamp))
                if len(batch) >= 20_000:
                    _insert_rows(cursor, table, _MARK_COLUMNS, batch)
                    total += len(batch)
                    batch = []
            if len(plan.institutions) > 4:
                say(f"{total:,} attendance marks so far ({inst.name})")
        if batch:
            _insert_rows(cursor, table, _MARK_COLUMNS, batch)
            total += len(batch)
    return total


_REGISTER_COLUMNS = ("institution_id", "group_id", "date", "session", "taken_by_id", "last_saved_by_id", "saves",
                     "created_at", "updated_at")
_REGISTER_OPENS = {"AM": datetime.time(8, 45), "PM": datetime.time(13, 10)}  # the demo day's registration periods


def _write_registers(today: datetime.date, seed: int) -> int:
    """The statutory register behind the marks: one per form, school day and session since the form's first
    member joined, taken by its tutor. Most are saved within the half hour the register is open, about one
    in twenty-five later in the session, so the self-review's "registers taken on time" has a plausible figure.
    Written in batches as the marks are (not through the ORM, which would stamp every row with now), so that
    each keeps the time it was taken."""
    from django.db import connection
    from django.db.models import Min

    from commonroom.records.models import Register

    rng = random.Random(seed + 7)
    zone = timezone.get_current_timezone()
    days = _school_days(today - datetime.timedelta(days=365), today - datetime.timedelta(days=1))
    forms = list(GroupMembership.objects.filter(group__kind=Group.Kind.REGISTRATION)
                 .values_list("group_id", "group__institution_id").annotate(first=Min("start_date")).order_by("group_id"))
    tutors = dict(GroupStaff.objects.filter(role=GroupStaff.Role.TUTOR).order_by("-pk").values_list("group_id", "person_id"))
    rows: list[tuple[Any, ...]] = []
    for group_id, institution_id, first in forms:
        tutor = tutors.get(group_id)
        for day in days:
            if day < first:
                continue
            for session, opens in _REGISTER_OPENS.items():
                minutes = rng.randint(1, 24) if rng.random() >= 0.04 else rng.randint(35, 150)
                taken = connection.ops.adapt_datetimefield_value(
                    datetime.datetime.combine(day, opens, tzinfo=zone) + datetime.timedelta(minutes=minutes))
                rows.append((institution_id, group_id, day, session, tutor, tutor, 1, taken, taken))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20_000):
            _insert_rows(cursor, Register._meta.db_table, _REGISTER_COLUMNS, rows[start:start + 20_000])
    return len(rows)


INCIDENT_CATEGORIES = (("Disrupting learning", 2), ("Lateness to lesson", 1), ("Unkind behaviour", 3),
                       ("Refusing instructions", 3), ("Damage to property", 4), ("Bullying", 5))
REWARD_CATEGORIES = (("Merit", 1), ("Excellent homework", 2), ("Helping others", 2), ("Star of the week", 5))
_LOCATIONS = ("Classroom", "Corridor", "Playground", "Dining hall", "Library", "Sports hall")


def _write_behaviour(plan: DemoPlan, today: datetime.date, seed: int) -> str:
    """Each school's categories, and this term's incidents and rewards: a few learners have many incidents
    (some over the alert threshold), most have none; rewards are common."""
    from commonroom.records.models import BehaviourCategory, Incident, IncidentLearner, Reward

    rng = random.Random(seed + 2)
    term_start = next((first for _n, first, last in term_pattern(plan.year_start.year) if first <= today <= last),
                      plan.year_start)
    days = _school_days(max(term_start, today - datetime.timedelta(days=70)), today - datetime.timedelta(days=1))
    if not days:
        return "no behaviour (no school days yet this term)"
    categories = [
        BehaviourCategory(institution_id=inst.id, kind=kind, name=name, points=points)
        for inst in plan.institutions
        for kind, table in (("incident", INCIDENT_CATEGORIES), ("reward", REWARD_CATEGORIES))
        for name, points in table
    ]
    BehaviourCategory.objects.bulk_create(categories)
    by_inst: dict[tuple[int, str], list[BehaviourCategory]] = {}
    for category in categories:
        by_inst.setdefault((category.institution_id, category.kind), []).append(category)
    teachers = {inst.id: [p for _g, p, role in inst.group_staff if role == GroupStaff.Role.TEACHER] for inst in plan.institutions}
    tutors = {inst.id: [p for _g, p, role in inst.group_staff if role == GroupStaff.Role.TUTOR] for inst in plan.institutions}
    incidents: list[Incident] = []
    involved: list[list[tuple[int, str]]] = []
    rewards: list[Reward] = []
    for inst in plan.institutions:
        staff = teachers[inst.id] or tutors[inst.id]
        if not staff:
            continue
        learners = [lr for lr in inst.learners if lr.start <= days[0]]
        troubled = rng.sample(learners, max(1, len(learners) // 40)) if learners else []
        for lr in learners:
            count = rng.randint(3, 8) if lr in troubled else (1 if rng.random() < 0.15 else 0)
            for _ in range(count):
                day = rng.choice(days[-15:] if lr in troubled else days)
                when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(9, 15), rng.choice((0, 15, 30, 45)))))
                category = rng.choice(by_inst[(inst.id, "incident")][:4] if lr not in troubled else by_inst[(inst.id, "incident")])
                incidents.append(Incident(
                    institution_id=inst.id, category_id=category.pk, severity=min(4, 1 + category.points // 2),
                    occurred_at=when, location=rng.choice(_LOCATIONS),
                    description=f"{category.name} (generated demo record)", action_taken="Spoke to the learner",
                    recorded_by_id=rng.choice(staff).id,
                    follow_up_owner_id=rng.choice(tutors[inst.id]).id if tutors[inst.id] and category.points >= 3 else None,
                ))
                people = [(lr.person.id, "instigator")]
                others = [o for o in rng.sample(learners, min(2, len(learners))) if o is not lr]
                if others and rng.random() < 0.4:
                    people.append((others[0].person.id, rng.choice(("participant", "target", "witness"))))
                involved.append(people)
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                category = rng.choice(by_inst[(inst.id, "reward")])
                rewards.append(Reward(institution_id=inst.id, category_id=category.pk, learner_id=lr.person.id,
                                      points=category.points, awarded_on=rng.choice(days), note="Generated demo record",
                                      recorded_by_id=rng.choice(staff).id))
    Incident.objects.bulk_create(incidents, batch_size=2000)
    points = {c.pk: c.points for c in categories}
    IncidentLearner.objects.bulk_create(
        (IncidentLearner(institution_id=incident.institution_id, incident_id=incident.pk, learner_id=learner_id, role=role,
                         points=points[incident.category_id] if role in ("instigator", "participant") else 0)
         for incident, people in zip(incidents, involved, strict=True) for learner_id, role in people),
        batch_size=5000,
    )
    Reward.objects.bulk_create(rewards, batch_size=5000)
    return f"{len(categories):,} behaviour categories, {len(incidents):,} incidents, {len(rewards):,} rewards"


PERIODS = (
    ("AM registration", "registration", "AM", (8, 45), (9, 0)),
    ("P1", "lesson", "AM", (9, 0), (10, 0)),
    ("P2", "lesson", "AM", (10, 0), (11, 0)),
    ("Break", "break", "AM", (11, 0), (11, 20)),
    ("P3", "lesson", "AM", (11, 20), (12, 20)),
    ("Lunch", "break", "PM", (12, 20), (13, 10)),
    ("PM registration", "registration", "PM", (13, 10), (13, 20)),
    ("P4", "lesson", "PM", (13, 20), (14, 20)),
    ("P5", "lesson", "PM", (14, 20), (15, 20)),
)


def _write_timetable(plan: DemoPlan, today: datetime.date, seed: int) -> str:
    """Each school's day (registration, five lessons), rooms, a clash-free one-week timetable for its
    teaching groups (a year's sets of one subject meet at the same time), and lesson registers for this
    term so far, consistent with the statutory marks (a few learners present at registration are
    missing from a lesson)."""
    from commonroom.records.models import AttendanceMark, LessonMark, Period, Room, SchoolWeek, TimetableSlot

    rng = random.Random(seed + 3)
    SchoolWeek.objects.bulk_create(SchoolWeek(institution_id=inst.id) for inst in plan.institutions)
    periods = Period.objects.bulk_create(
        Period(institution_id=inst.id, name=name, kind=kind, session=session, starts=datetime.time(*start),
               ends=datetime.time(*end))
        for inst in plan.institutions for name, kind, session, start, end in PERIODS
    )
    lessons = {inst.id: [p for p in periods if p.institution_id == inst.id and p.kind == "lesson"] for inst in plan.institutions}
    members: dict[int, list[int]] = {}
    for inst in plan.institutions:
        for lr in inst.learners:
            for group in lr.groups:
                members.setdefault(group.id, []).append(lr.person.id)
    teacher_of = {group.id: person for inst in plan.institutions for group, person, role in inst.group_staff
                  if role == GroupStaff.Role.TEACHER}
    slots: list[TimetableSlot] = []
    rooms_needed: dict[int, int] = {}
    for inst in plan.institutions:
        # A block is a year's sets of one subject that meet at once; a teacher with two of the sets
        # splits the block, since nobody teaches two groups at the same time.
        blocks: dict[tuple[int | None, str, int], list[GroupPlan]] = {}
        for group in inst.groups:
            if group.kind == Group.Kind.TEACHING and group.id in teacher_of:
                part = 0
                while any(teacher_of[g.id] is teacher_of[group.id] for g in blocks.get((group.nc_year, group.subject, part), [])):
                    part += 1
                blocks.setdefault((group.nc_year, group.subject, part), []).append(group)
        year_busy: set[tuple[int | None, int, int]] = set()
        teacher_busy: set[tuple[int, int, int]] = set()
        room_use: dict[tuple[int, int], int] = {}
        per_year: Counter[int | None] = Counter(year for year, _subject, _part in blocks)
        cells = [(day, index) for day in range(5) for index in range(len(lessons[inst.id]))]
        for (year, _subject, _part), groups in blocks.items():
            wanted = max(1, min(5, 25 // max(per_year[year], 1)))
            rng.shuffle(cells)
            for day, index in cells:
                if wanted == 0:
                    break
                teachers = {teacher_of[g.id].id for g in groups}
                if (year, day, index) in year_busy or any((t, day, index) in teacher_busy for t in teachers):
                    continue
                year_busy.add((year, day, index))
                for group in groups:
                    teacher_busy.add((teacher_of[group.id].id, day, index))
                    room = room_use.get((day, index), 0)
                    room_use[(day, index)] = room + 1
                    slots.append(TimetableSlot(institution_id=inst.id, academic_year_id=inst.year_id, group_id=group.id,
                                               period=lessons[inst.id][index],
                                               weekday=day, teacher_id=teacher_of[group.id].id, room_id=room))
                wanted -= 1
        rooms_needed[inst.id] = max(room_use.values(), default=0)
    rooms = Room.objects.bulk_create(
        Room(institution_id=inst.id, name=f"Room {n + 1}") for inst in plan.institutions for n in range(rooms_needed[inst.id])
    )
    room_ids = {(room.institution_id, int(room.name.split()[-1]) - 1): room.pk for room in rooms}
    for slot in slots:
        slot.room_id = room_ids[(slot.institution_id, slot.room_id or 0)]
    TimetableSlot.objects.bulk_create(slots, batch_size=2000)
    # Lesson registers for this term so far (up to six weeks), following the statutory marks.
    term_start = next((first for _n, first, last in term_pattern(plan.year_start.year) if first <= today <= last),
                      plan.year_start)
    days = _school_days(max(term_start, today - datetime.timedelta(days=42)), today - datetime.timedelta(days=1))
    if not days:
        return f"{len(slots):,} timetabled lessons, {len(rooms):,} rooms, no lesson registers yet"
    attended = {
        (learner_id, day, session): category <= 2
        for learner_id, day, session, category in AttendanceMark.objects.filter(date__gte=days[0], date__lte=days[-1])
        .values_list("learner_id", "date", "session", "category").iterator(chunk_size=20_000)
    }
    marks: list[LessonMark] = []
    total = 0
    for day in days:
        for slot in slots:
            if slot.weekday != day.weekday():
                continue
            for learner_id in members.get(slot.group_id, ()):
                here = attended.get((learner_id, day, slot.period.session))
                if here is None:
                    continue
                roll = rng.random()
                status = "absent" if not here or roll < 0.01 else ("late" if roll < 0.03 else "present")
                marks.append(LessonMark(institution_id=slot.institution_id, slot_id=slot.pk, learner_id=learner_id,
                                        date=day, status=status, recorded_by_id=slot.teacher_id))
        if len(marks) >= 20_000:
            LessonMark.objects.bulk_create(marks, batch_size=5000)
            total += len(marks)
            marks = []
    LessonMark.objects.bulk_create(marks, batch_size=5000)
    total += len(marks)
    return f"{len(slots):,} timetabled lessons, {len(rooms):,} rooms, {total:,} lesson marks"


def _write_groups(plan: DemoPlan) -> int:
    """Year groups first, so the others can point at them."""
    count = 0
    for years in (True, False):
        plans = [g for inst in plan.institutions for g in inst.groups if (g.kind == Group.Kind.YEAR) == years]
        for chunk in _chunks(plans, BATCH):
            rows = [
                Group(
                    institution_id=g.inst.id,
                    academic_year_id=g.inst.year_id,
                    kind=g.kind,
                    code=g.code,
                    name=g.name,
                    nc_year=g.nc_year,
                    subject=g.subject,
                    year_group_id=g.year_group.id if g.year_group else None,
                )
                for g in chunk
            ]
            Group.objects.bulk_create(rows, batch_size=BATCH)
            for group, row in zip(chunk, rows, strict=True):
                group.id = row.pk
            count += len(chunk)
    return count


def _learners(plan: DemoPlan) -> Iterator[Learner]:
    for inst in plan.institutions:
        for lr in inst.learners:
            yield Learner(person_id=lr.person.id, upn=lr.upn, uln=lr.uln)


def _enrolments(plan: DemoPlan) -> Iterator[Enrolment]:
    for inst in plan.institutions:
        for lr in inst.learners:
            yield Enrolment(
                institution_id=inst.id, learner_id=lr.person.id, kind=Enrolment.Kind.MAIN, start_date=lr.start
            )


def _memberships(plan: DemoPlan) -> Iterator[GroupMembership]:
    for inst in plan.institutions:
        for lr in inst.learners:
            for group in lr.groups:
                assert group.inst is inst
                yield GroupMembership(
                    institution_id=inst.id, group_id=group.id, learner_id=lr.person.id, start_date=plan.year_start
                )


def _group_staff(plan: DemoPlan) -> Iterator[GroupStaff]:
    for inst in plan.institutions:
        for group, person, role in inst.group_staff:
            assert group.inst is inst
            yield GroupStaff(
                institution_id=inst.id, group_id=group.id, person_id=person.id, role=role, start_date=plan.year_start
            )


def _role_assignments(plan: DemoPlan, authority: LocalAuthority, rng: random.Random) -> Iterator[RoleAssignment]:
    year = plan.year_start.year
    yield RoleAssignment(
        person_id=plan.officer.id,
        role=Role.LA_OFFICER,
        local_authority=authority,
        start_date=datetime.date(year - 3, 4, 1),
    )
    yield RoleAssignment(person_id=plan.admin.id, role=Role.PLATFORM_ADMIN, start_date=datetime.date(year - 1, 9, 1))
    for inst in plan.institutions:
        for person, role in inst.roles:
            started = datetime.date(year - rng.randint(0, 12), 9, 1)
            yield RoleAssignment(person_id=person.id, role=role, institution_id=inst.id, start_date=started)
    if plan.governor is not None:
        secondary = next(i for i in plan.institutions if i.key == "secondary")
        yield RoleAssignment(person_id=plan.governor.id, role=Role.GOVERNOR, institution_id=secondary.id,
                             start_date=datetime.date(year - 2, 9, 1))
    if plan.assessor is not None:
        yield RoleAssignment(person_id=plan.assessor.id, role=Role.ASSESSOR, local_authority=authority,
                             start_date=datetime.date(year - 2, 4, 1))


def _contact_links(plan: DemoPlan) -> Iterator[ContactLink]:
    for link in plan.links:
        yield ContactLink(
            learner_id=link.learner.person.id,
            contact_id=link.contact.id,
            relationship=link.relationship,
            parental_responsibility=link.parental_responsibility,
            priority=link.priority,
            may_receive_reports=link.may_receive_reports,
            lives_with_learner=link.lives_with_learner,
            access_barred=link.access_barred,
            start_date=link.start,
        )


def _write_accounts(plan: DemoPlan, password: str) -> None:
    hashed = make_password(password)  # one shared, published password: hash it once (Argon2 is slow on purpose)
    for username, person in plan.accounts.items():
        user = User(
            username=username,
            email=f"{username}@example.org",
            person_id=person.id,
            first_name=person.given,
            last_name=person.family,
        )
        user.password = hashed
        user.save()


def write_plan(plan: DemoPlan, seed: int, say: Any) -> None:
    authority = LocalAuthority.objects.create(name=plan.authority_name, la_number=plan.la_number)
    _write_institutions(plan, authority)
    say(f"{_plural(len(plan.institutions), 'institution')}, their academic year {plan.year_name} and terms")
    say(f"{_write_people(_all_people(plan)):,} people")
    say(f"{_bulk(RoleAssignment, _role_assignments(plan, authority, random.Random(seed))):,} role assignments")
    say(f"{_write_groups(plan):,} groups")
    _bulk(Learner, _learners(plan))
    say(f"{_bulk(Enrolment, _enrolments(plan)):,} learners and enrolments")
    say(f"{_bulk(GroupMembership, _memberships(plan)):,} group memberships")
    say(f"{_bulk(GroupStaff, _group_staff(plan)):,} group staff")
    say(f"{_bulk(ContactLink, _contact_links(plan)):,} contact links")
    say(f"{_write_attendance(plan, plan.today, seed, say):,} attendance marks (a year of AM and PM sessions)")
    say(f"{_write_registers(plan.today, seed):,} registers behind them (most taken within the half hour they are open)")
    say(_write_behaviour(plan, plan.today, seed))
    say(_write_timetable(plan, plan.today, seed))
    from commonroom.demo.assessment import write_assessment, write_reports, write_sen

    say(write_assessment(plan, plan.today, seed))
    say(write_sen(plan, plan.today, seed))
    say(write_reports(plan, plan.today, seed))
    for write_demo in app_demo_writers():
        say(write_demo(plan, plan.today, seed))


# Later apps add their generated rows in ``commonroom/<app>/demo.py`` (``write_demo(plan, today, seed) -> str``,
# returning the line to print). They run after the core records, in this order: an app may build on one before it.
APP_DEMO_ORDER = ("learning", "resources", "quizzes", "wall", "family", "notifications", "messaging", "liaison", "selfreview",
                  "safeguarding")


def app_demo_writers() -> list[Any]:
    import importlib

    writers = []
    for app in APP_DEMO_ORDER:
        try:
            module = importlib.import_module(f"commonroom.{app}.demo")
        except ModuleNotFoundError as error:
            if error.name not in (f"commonroom.{app}", f"commonroom.{app}.demo"):
                raise
            continue
        writers.append(module.write_demo)
    return writers


# Reading back, resetting, the public entry points -------------------------------------------------


def has_demo_data() -> bool:
    return LocalAuthority.objects.exists() or Institution.objects.exists()


def _models_to_clear() -> list[type[models.Model]]:
    """Every model that (through foreign keys) hangs off authorities, institutions, people or users,
    ordered so a model is cleared before the models it points at."""
    roots: set[type[models.Model]] = {LocalAuthority, Institution, Person, User}
    candidates = [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy and m._meta.managed]
    targets = {
        m: {f.related_model for f in m._meta.concrete_fields if f.is_relation and isinstance(f.related_model, type)}
        for m in candidates
    }
    chosen = set(roots)
    grown = True
    while grown:
        grown = False
        for model in candidates:
            if model not in chosen and targets[model] & chosen:
                chosen.add(model)
                grown = True
    ordered: list[type[models.Model]] = []
    seen: set[type[models.Model]] = set()

    def visit(model: type[models.Model]) -> None:
        if model in seen:
            return
        seen.add(model)
        for other in sorted(chosen, key=lambda m: m._meta.label):
            if other is not model and model in targets.get(other, set()):
                visit(other)
        ordered.append(model)

    for model in sorted(chosen, key=lambda m: m._meta.label):
        visit(model)
    return ordered


def clear_all(say: Any = None) -> None:
    """Delete every authority, institution, person and account, and everything that hangs off them."""
    for model in _models_to_clear():
        deleted = model._base_manager.all()._raw_delete(DEFAULT_DB_ALIAS)  # type: ignore[attr-defined]
        if say and deleted:
            say(f"deleted {deleted:,} {model._meta.verbose_name_plural}")


def _names(queryset: models.QuerySet[Any], field_name: str = "name") -> str:
    return " and ".join(sorted(set(queryset.values_list(field_name, flat=True))))


def _account_place(role: str, person_id: int | None) -> str:
    """Where the account belongs, read from the database (so it works for data built earlier)."""
    if person_id is None:
        return ""
    if role == "platform administrator":
        return "Platform"
    if role in ("local-authority officer", "ICT Mark assessor"):
        return _names(
            LocalAuthority.objects.filter(role_assignments__person_id=person_id,
                                          role_assignments__role__in=[Role.LA_OFFICER, Role.ASSESSOR])
        )
    if role == "learner":
        learners: Any = [person_id]
    elif role in ("parent", "barred parent"):
        learners = ContactLink.objects.filter(contact_id=person_id).values("learner_id")
    else:
        held = RoleAssignment.objects.filter(in_force(), person_id=person_id, institution__isnull=False)
        return _names(Institution.objects.filter(pk__in=held.values("institution_id")))
    enrolled = Enrolment.objects.filter(in_force(), learner_id__in=learners).values("institution_id")
    return _names(Institution.objects.filter(pk__in=enrolled))


def describe_accounts(password: str) -> list[DemoAccount]:
    users = {u.username: u for u in User.objects.filter(username__in=list(DEMO_ACCOUNTS))}
    return [
        DemoAccount(role, username, password, _account_place(role, users[username].person_id))
        for username, role in DEMO_ACCOUNTS.items()
        if username in users
    ]


def refresh_accounts(seed: int = DEFAULT_SEED) -> list[DemoAccount]:
    """Reset the existing demo accounts' passwords to the one for ``seed``; describe them."""
    password = demo_password(seed)
    User.objects.filter(username__in=list(DEMO_ACCOUNTS)).update(password=make_password(password))
    return describe_accounts(password)


def demo_counts() -> dict[str, int]:
    return {
        "local authorities": LocalAuthority.objects.count(),
        "institutions": Institution.objects.count(),
        "learners": Learner.objects.count(),
        "staff": RoleAssignment.objects.filter(institution__isnull=False).values("person_id").distinct().count(),
        "contacts": ContactLink.objects.values("contact_id").distinct().count(),
        "contact links": ContactLink.objects.count(),
        "people": Person.objects.count(),
        "groups": Group.objects.count(),
        "group memberships": GroupMembership.objects.count(),
        "group staff": GroupStaff.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "role assignments": RoleAssignment.objects.count(),
        "accounts": User.objects.count(),
    }


def _sayer(stdout: Writer | None, started: float) -> Any:
    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(f"[{time.perf_counter() - started:6.1f}s] {message}\n")

    return say


def build(size: str, seed: int = DEFAULT_SEED, stdout: Writer | None = None, *, reset: bool = False) -> DemoResult:
    """Build the demo data of ``size`` in one transaction. With ``reset``, delete everything first;
    without it, refuse (``DemoDataExists``) when the database already holds authorities or institutions."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose from {', '.join(SIZES)}")
    started = time.perf_counter()
    say = _sayer(stdout, started)
    password = demo_password(seed)
    with transaction.atomic():
        if reset:
            clear_all(say)
        elif has_demo_data():
            raise DemoDataExists("the database already has authorities or institutions")
        plan = Planner(SIZES[size], seed, timezone.localdate()).plan()
        learners = sum(len(inst.learners) for inst in plan.institutions)
        say(f"planned {plan.authority_name}: {_plural(len(plan.institutions), 'institution')}, {learners:,} learners")
        write_plan(plan, seed, say)
        _write_accounts(plan, password)
        say(f"{len(plan.accounts)} demo accounts")
    # Fresh statistics for the query planner after millions of new rows (both databases have ANALYZE).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    accounts = describe_accounts(password)
    return DemoResult(size, seed, password, accounts, demo_counts(), time.perf_counter() - started)


def write_accounts_file(path: str | Path, accounts: Sequence[DemoAccount]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ACCOUNTS_HEADER)
        for account in accounts:
            writer.writerow([account.role, account.username, account.password, account.institution])


def accounts_table(accounts: Sequence[DemoAccount]) -> str:
    rows = [ACCOUNTS_HEADER, *((a.role, a.username, a.password, a.institution) for a in accounts)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        "  ".join([*(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)), row[3]]).rstrip()
        for row in rows
    )
