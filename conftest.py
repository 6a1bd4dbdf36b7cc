"""Shared fixtures. The persona world is built once per test database and rolled back around each test."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from commonroom.testing.clock import school_day_travel
from commonroom.testing.world import World, build_world, load_world


@pytest.fixture(scope="session", autouse=True)
def _on_a_school_day():  # type: ignore[no-untyped-def]
    """Every test runs at 10:30 on a school day (see commonroom/testing/clock.py), with the clock ticking."""
    with time_machine.travel(school_day_travel(datetime.date.today()), tick=True):
        yield


@pytest.fixture(scope="session")
def django_db_setup(_on_a_school_day, django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        build_world()


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    return load_world()


@pytest.fixture(autouse=True)
def _clear_cache():  # type: ignore[no-untyped-def]
    """Rate limits live in the cache: start every test with a clean one."""
    from django.core.cache import cache

    cache.clear()
    yield
