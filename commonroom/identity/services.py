"""Parent invitations and personal access tokens."""

from __future__ import annotations

import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonroom.authz import audit, require
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound
from commonroom.authz.models import OFFICE_ROLES
from commonroom.identity.models import Invitation, PersonalAccessToken, User, sha256
from commonroom.people.models import ContactLink, Learner

INVITATION_DAYS = 14


def invitation_issue(*, actor: Actor, contact_link: ContactLink, institution_id: int, days: int = INVITATION_DAYS) -> tuple[Invitation, str]:
    """Issue a single-use code for one contact of one learner. Returns the invitation and the code (shown once)."""
    require(actor, "invite", contact_link)
    if actor.person_id is None or institution_id not in actor.institutions_where(*OFFICE_ROLES):
        raise NotFound()
    code = Invitation.new_code()
    now = timezone.now()
    with transaction.atomic():
        # A new letter replaces any earlier one for the same contact: old codes stop working.
        superseded = Invitation.objects.filter(
            contact_link=contact_link, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(revoked_at=now)
        invitation = Invitation(
            institution_id=institution_id,
            contact_link=contact_link,
            code_hash=Invitation.hash_code(code),
            expires_at=timezone.now() + datetime.timedelta(days=days),
            issued_by_id=actor.person_id,
        )
        invitation.save()
        audit.record(
            actor,
            "invitation.issue",
            invitation,
            learner_id=contact_link.learner_id,
            institution_id=institution_id,
            detail={
                "contact": contact_link.contact_id,
                "expires_at": invitation.expires_at.isoformat(),
                "superseded": superseded,
            },
        )
    return invitation, code


def _open_invitation(code: str) -> Invitation:
    """The open invitation for ``code``, locked for update, or a ValidationError on the code field."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("contact_link", "contact_link__contact")
        .filter(code_hash=Invitation.hash_code(code))
        .first()
    )
    if invitation is None:
        raise ValidationError({"code": _("We do not recognise this code. Check it against the letter from school.")})
    status = invitation.status
    if status == "used":
        raise ValidationError({"code": _("This code has already been used. Ask the school for a new one if you need it.")})
    if status == "expired":
        raise ValidationError({"code": _("This code has expired. Ask the school for a new one.")})
    if status == "revoked" or invitation.contact_link.access_barred:
        raise ValidationError({"code": _("This code is no longer valid. Ask the school for a new one.")})
    return invitation


def _consume(invitation: Invitation, user: User) -> None:
    invitation.used_at = timezone.now()
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by", "updated_at"])


def invitation_redeem_new_account(*, code: str, username: str, email: str, password: str) -> User:
    """A parent or carer creates their account from a code. Nothing is saved unless everything is valid."""
    with transaction.atomic():
        invitation = _open_invitation(code)
        contact = invitation.contact_link.contact
        if hasattr(contact, "account"):
            raise ValidationError(
                {"code": _("You already have an account. Sign in, then enter this code on the 'Add a child' page.")}
            )
        errors: dict[str, list[str]] = {}
        if User.objects.filter(username__iexact=username).exists():
            errors["username"] = [_("That username is taken: choose another.")]
        user = User(username=username, email=email, person=contact, first_name=contact.given_name, last_name=contact.family_name)
        try:
            validate_password(password, user)
        except ValidationError as error:
            errors["password1"] = list(error.messages)
        if errors:
            raise ValidationError(errors)
        user.set_password(password)
        user.save()
        if email and not contact.email:
            contact.email = email
            contact.save(update_fields=["email", "updated_at"])
        _consume(invitation, user)
        actor = Actor.for_user(user)
        audit.record(
            actor,
            "invitation.redeem",
            invitation,
            learner_id=invitation.contact_link.learner_id,
            institution_id=invitation.institution_id,
            detail={"new_account": True},
        )
    return user


def invitation_redeem(*, actor: Actor, user: User, code: str) -> ContactLink:
    """A signed-in parent adds a child with a code the school issued. They can never attach a child themselves."""
    if user.person_id is None:
        raise ValidationError({"code": _("This account is not set up for a person yet: ask the school.")})
    person_id: int = user.person_id
    with transaction.atomic():
        invitation = _open_invitation(code)
        link = invitation.contact_link
        moved_from = None
        if link.contact_id != person_id:
            if hasattr(link.contact, "account"):
                raise ValidationError({"code": _("This code was issued to someone else.")})
            if person_id == link.learner_id or Learner.objects.filter(pk=person_id).exists():
                # A learner's account can never become anybody's parent or carer.
                raise ValidationError({"code": _("This code is for a parent or carer's account. Ask the school.")})
            if ContactLink.objects.filter(learner_id=link.learner_id, contact_id=person_id).exists():
                raise ValidationError({"code": _("You are already linked to this child.")})
            # The school recorded this contact before they had an account: the code proves it is
            # the same person, so the link moves to the account holder (one person per human).
            moved_from = link.contact_id
            link.contact_id = person_id
            link.save(update_fields=["contact", "updated_at"])
        _consume(invitation, user)
        audit.record(
            actor,
            "invitation.redeem",
            invitation,
            learner_id=link.learner_id,
            institution_id=invitation.institution_id,
            detail={"new_account": False, "contact": person_id, "moved_from_contact": moved_from},
        )
    return link


def token_create(*, actor: Actor, user: User, name: str, expires_at: datetime.datetime | None = None) -> tuple[PersonalAccessToken, str]:
    if actor.user_id != user.pk or user.person_id is None:
        # Tokens act for a person; an account not yet set up for one has nothing to read.
        raise NotFound()
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name so you know what it is for.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    token, lookup, token_hash = PersonalAccessToken.generate()
    with transaction.atomic():
        row = PersonalAccessToken.objects.create(
            user=user, name=name.strip(), lookup=lookup, token_hash=token_hash, expires_at=expires_at
        )
        audit.record(actor, "token.create", row)
    return row, token


def token_revoke(*, actor: Actor, token: PersonalAccessToken) -> PersonalAccessToken:
    require(actor, "revoke", token)
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
            audit.record(actor, "token.revoke", token)
    return token


def token_authenticate(raw: str) -> User | None:
    """The user behind a bearer token, or None. Constant-time comparison of hashes."""
    import hmac

    if not raw.startswith(PersonalAccessToken.PREFIX):
        return None
    lookup = raw[len(PersonalAccessToken.PREFIX) :].split("_", 1)[0]
    row = PersonalAccessToken.objects.select_related("user").filter(lookup=lookup).first()
    if row is None or not row.active or not row.user.is_active:
        return None
    if not hmac.compare_digest(row.token_hash, sha256(raw)):
        return None
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        PersonalAccessToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def account_create(*, actor: Actor, username: str, email: str, given_name: str, family_name: str) -> User:
    """A platform administrator makes an account for a member of staff or an officer.

    The account has no usable password: its owner sets one through the password-reset email.
    """
    if not actor.is_platform_admin:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("That username is taken: choose another.")]
    if email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("Another account already uses this email address.")]
    if errors:
        raise ValidationError(errors)
    from commonroom.people.models import Person

    with transaction.atomic():
        person = Person(given_name=given_name, family_name=family_name, email=email)
        person.full_clean()
        person.save()
        user = User(username=username, email=email, person=person, first_name=given_name, last_name=family_name)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        audit.record(actor, "account.create", user, detail={"username": username})
    return user


def account_set_active(*, actor: Actor, user: User, active: bool) -> User:
    require(actor, "change", user)
    if user.pk == actor.user_id:
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        if user.is_active != active:
            user.is_active = active
            user.save(update_fields=["is_active"])
            audit.record(actor, "account.activate" if active else "account.deactivate", user)
    return user
