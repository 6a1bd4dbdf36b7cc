"""The home page: what the signed-in person needs, from their roles and relationships."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from commonroom.authz.actor import actor_for
from commonroom.home.selectors import home_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home/home.html", {"home": home_for(actor_for(request))})
