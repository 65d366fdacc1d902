"""Writes of the BTI app."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from indicators.readers import Reader
from pf2s.sessions import sessions_end

from .choices import MemberRole
from .models import (
    ActivityEvent,
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    OwnTerritory,
    SavedQuery,
    TrainingRegistration,
    TrainingSession,
)

ORGANISATIONS_FIXTURE = settings.BASE_DIR / "fixtures" / "organisations.json"


@transaction.atomic
def organisations_load(*, path=ORGANISATIONS_FIXTURE) -> int:
    """Create or update the partner organisations of the fixture (by sigle)."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))["organisations"]
    for row in rows:
        Organisation.objects.update_or_create(
            short_name=row["short_name"],
            defaults={
                "name": row["name"],
                "family": row["family"],
                "charter_signed_on": dt.date.fromisoformat(row["charter_signed_on"])
                if row["charter_signed_on"]
                else None,
            },
        )
    return len(rows)


@transaction.atomic
def membership_deactivate(*, membership: Membership) -> int:
    """Deactivate a member and end their live sessions at once."""
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    return sessions_end(users=[membership.user_id])


@transaction.atomic
def organisation_deactivate(*, organisation: Organisation) -> int:
    """Deactivate an organisation and end every live session of its members."""
    organisation.is_active = False
    organisation.save(update_fields=["is_active"])
    return sessions_end(users=list(organisation.members.values_list("user_id", flat=True)))


@transaction.atomic
def user_deactivate(*, user) -> int:
    """Deactivate an account and end its live sessions at once."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    return sessions_end(users=[user.pk])


class TrainingError(ValueError):
    """A registration refused, with the reason shown to the member."""


@transaction.atomic
def training_register(*, session_id: int, user) -> TrainingRegistration:
    """Register an active member to an upcoming session with seats left."""
    from .selectors import membership_for_user

    session = TrainingSession.objects.select_for_update().get(pk=session_id)
    if membership_for_user(user=user) is None:
        raise TrainingError("Seuls les membres d'une organisation partenaire s'inscrivent aux formations.")
    if session.starts_at <= timezone.now():
        raise TrainingError("Cette session a déjà commencé.")
    if session.registrations.filter(user=user).exists():
        raise TrainingError("Vous êtes déjà inscrit à cette session.")
    if session.registrations.count() >= session.capacity:
        raise TrainingError("Cette session est complète : choisissez-en une autre.")
    return TrainingRegistration.objects.create(session=session, user=user)


@transaction.atomic
def training_unregister(*, session_id: int, user) -> None:
    session = TrainingSession.objects.get(pk=session_id)
    if session.starts_at <= timezone.now():
        raise TrainingError("Cette session a déjà commencé : l'inscription ne peut plus être annulée.")
    deleted, _ = session.registrations.filter(user=user).delete()
    if not deleted:
        raise TrainingError("Vous n'êtes pas inscrit à cette session.")


@transaction.atomic
def training_attendance_record(*, session_id: int, present_user_ids: set[int]) -> int:
    """Record who attended; attendance opens the BTI to the member (their
    training date is the session's). Returns how many attended."""
    session = TrainingSession.objects.get(pk=session_id)
    now = timezone.now()
    attended = 0
    for registration in session.registrations.select_related("user"):
        registration.attended = registration.user_id in present_user_ids
        registration.attendance_recorded_at = now
        registration.save(update_fields=["attended", "attendance_recorded_at"])
        if registration.attended:
            attended += 1
            Membership.objects.filter(user_id=registration.user_id, trained_on__isnull=True).update(
                trained_on=timezone.localdate(session.starts_at)
            )
    return attended


TOKEN_PREFIX = "pf2s_"


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, reader: Reader, name: str) -> tuple[ApiToken, str]:
    """A new personal token of the reader (the request's: its access is
    already known); returns it with its key, which is not stored."""
    if not reader.is_partner:
        raise ValueError(
            "Les jetons d'API sont réservés aux membres formés à la BTI : inscrivez-vous à une session de formation."
        )
    name = " ".join((name or "").split())[:100]
    if not name:
        raise ValueError("Donnez un nom au jeton (par exemple : script de suivi mensuel).")
    if ApiToken.objects.filter(user_id=reader.user_id, revoked_at__isnull=True).count() >= 10:
        raise ValueError("Dix jetons actifs au plus : révoquez-en un d'abord.")
    prefix = secrets.token_hex(4)
    key = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user_id=reader.user_id, name=name, prefix=prefix, key_hash=api_token_hash(key))
    return token, key


@transaction.atomic
def api_token_revoke(*, user, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def activity_record(
    *, user, kind: str, channel: str = "", path: str = "", organisation_id: int | None = None
) -> ActivityEvent | None:
    """Count one login, query or export of a member (others are not counted);
    the caller may already know the member's organisation (the request's reader)."""
    if organisation_id is None:
        membership = Membership.objects.filter(user=user).only("organisation_id").first()
        if membership is None:
            return None
        organisation_id = membership.organisation_id
    return ActivityEvent.objects.create(
        kind=kind, user=user, organisation_id=organisation_id, channel=channel, path=path[:300]
    )


class OwnTerritoryError(ValueError):
    """A territory that cannot be built, with the reason in French."""


#: A territory gathers at most this many communes (the region has 3,782).
OWN_TERRITORY_MAX_COMMUNES = 2000
REGION_DEPARTEMENTS = ("02", "59", "60", "62", "80")


def _trained_member(reader: Reader) -> int:
    """The reader's organisation if they are a trained member of it (the
    BTI's tools are for trained members only), else OwnTerritoryError."""
    if reader.organisation_id is None:  # not a member of an active organisation
        raise OwnTerritoryError("Seuls les membres d'une organisation partenaire construisent des territoires.")
    if not reader.is_partner:
        raise OwnTerritoryError("Réservé aux membres formés à la BTI : inscrivez-vous à une session de formation.")
    return reader.organisation_id


_CONTROL = str.maketrans("", "", "".join(map(chr, [*range(32), 127])))
_CONTROL_BUT_LINES = str.maketrans("", "", "".join(chr(c) for c in [*range(32), 127] if chr(c) not in "\n\r\t"))


def _printable(text: str, lines: bool = False) -> str:
    """Text without control characters (a NUL byte is refused by PostgreSQL);
    `lines`: line breaks and tabs kept (a description)."""
    return (text or "").translate(_CONTROL_BUT_LINES if lines else _CONTROL)


def _codes(raw) -> list[str]:
    if isinstance(raw, str):
        raw = raw.replace(";", ",").replace("\n", ",").replace(" ", ",").split(",")
    return [code for c in raw or [] if (code := _printable(str(c)).strip())]


def own_territory_communes(*, commune_codes, epci_codes=()) -> list:
    """The communes a list of codes names, checked whole: every problem is
    reported at once, in French, and nothing is returned unless all is well."""
    from indicators.choices import TerritoryLevel
    from indicators.models import Territory

    communes, epcis = _codes(commune_codes), _codes(epci_codes)
    if len(communes) + len(epcis) > OWN_TERRITORY_MAX_COMMUNES:
        raise OwnTerritoryError(
            f"Trop de codes ({len(communes) + len(epcis)}) : un territoire réunit au plus "
            f"{OWN_TERRITORY_MAX_COMMUNES:,} communes.".replace(",", "\u202f")
        )
    problems = []
    repeated = sorted({c for c in communes if communes.count(c) > 1} | {c for c in epcis if epcis.count(c) > 1})
    if repeated:
        problems.append(f"code(s) en double : {', '.join(repeated[:10])}")
    known = {t.code: t for t in Territory.objects.filter(level=TerritoryLevel.COMMUNE, code__in=communes)}
    known_epci = {t.code: t for t in Territory.objects.filter(level=TerritoryLevel.EPCI, code__in=epcis)}
    outside = sorted(c for c in set(communes) - set(known) if _elsewhere_in_france(c))
    unknown = sorted(set(communes) - set(known) - set(outside))
    if outside:
        problems.append(f"commune(s) hors des Hauts-de-France : {', '.join(outside[:10])}")
    if unknown:
        problems.append(
            f"code(s) commune inconnu(s) (code Insee à 5 caractères ; commune fusionnée ?) : {', '.join(unknown[:10])}"
        )
    if set(epcis) - set(known_epci):
        problems.append(
            f"EPCI inconnu(s) dans la région (SIREN) : {', '.join(sorted(set(epcis) - set(known_epci))[:10])}"
        )
    if problems:
        raise OwnTerritoryError("Rien n'a été enregistré : " + " ; ".join(problems) + ".")
    members = set(known.values())
    members |= set(Territory.objects.filter(level=TerritoryLevel.COMMUNE, epci__in=known_epci.values()))
    if len(members) < 2:
        raise OwnTerritoryError(
            "Un territoire réunit au moins deux communes."
            if members
            else "Indiquez au moins deux communes (codes Insee) ou un EPCI entier."
        )
    if len(members) > OWN_TERRITORY_MAX_COMMUNES:
        raise OwnTerritoryError(
            f"Un territoire réunit au plus {OWN_TERRITORY_MAX_COMMUNES} communes (celui-ci en compte {len(members)})."
        )
    return sorted(members, key=lambda t: t.code)


def _elsewhere_in_france(code: str) -> bool:
    """A commune code of another French département (COG format)."""
    import re

    if not re.fullmatch(r"(0[1-9]|[1-8]\d|9[0-5]|2[AB])\d{3}|97[1-6]\d{2}", code):
        return False
    return code[:2] not in REGION_DEPARTEMENTS


def _name(name: str, organisation_id: int, exclude: int | None = None) -> str:
    name = " ".join(_printable(name).split())[:120]
    if not name:
        raise OwnTerritoryError("Donnez un nom au territoire.")
    taken = OwnTerritory.objects.filter(organisation_id=organisation_id, name=name, deleted_at__isnull=True)
    if exclude:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise OwnTerritoryError(f"Votre organisation a déjà un territoire nommé « {name} ».")
    return name


def _version_create(communes: list, check: bool):
    """A new version of communes, decided now (`check`) or by the worker."""
    from indicators.models import OwnTerritoryVersion
    from indicators.services import own_version_check_queue

    version = OwnTerritoryVersion.objects.create()
    version.communes.set(communes)
    if check:
        from indicators.own_check import own_version_check

        own_version_check(version_id=version.pk)
    else:
        own_version_check_queue(version_id=version.pk)
    return version


@transaction.atomic
def own_territory_create(
    *, reader: Reader, name: str, commune_codes, epci_codes=(), description: str = "", check: bool = True
) -> OwnTerritory:
    """Build a territory of the member's organisation from communes and whole
    EPCI of the region (checked whole: nothing is saved unless every code is
    right). Its figures are decided now (`check`, ≤ 10 s for 200 communes)
    or by a worker, whose progress the territories page shows."""
    organisation_id = _trained_member(reader)
    name = _name(name, organisation_id)
    communes = own_territory_communes(commune_codes=commune_codes, epci_codes=epci_codes)
    territory = OwnTerritory.objects.create(
        organisation_id=organisation_id,
        created_by_id=reader.user_id,
        name=name,
        description=_printable(description, lines=True)[:2000],
        version=_version_create(communes, check),
    )
    return territory


def own_territory_get(*, reader: Reader, territory_id: int) -> OwnTerritory:
    """One live territory of the reader's organisation (DoesNotExist for
    anyone else's: a 404, not a 403)."""
    organisation_id = _trained_member(reader)
    return OwnTerritory.objects.select_related("version").get(
        pk=territory_id, organisation_id=organisation_id, deleted_at__isnull=True
    )


@transaction.atomic
def own_territory_rename(
    *, reader: Reader, territory_id: int, name: str, description: str | None = None
) -> OwnTerritory:
    territory = own_territory_get(reader=reader, territory_id=territory_id)
    territory.name = _name(name, territory.organisation_id, exclude=territory.pk)
    if description is not None:
        territory.description = _printable(description, lines=True)[:2000]
    territory.save(update_fields=["name", "description"])
    return territory


@transaction.atomic
def own_territory_edit(
    *, reader: Reader, territory_id: int, commune_codes, epci_codes=(), check: bool = True
) -> OwnTerritory:
    """New communes: a new version, decided like a new territory; the old
    version is retired (its figures stay known to the audit)."""
    territory = own_territory_get(reader=reader, territory_id=territory_id)
    communes = own_territory_communes(commune_codes=commune_codes, epci_codes=epci_codes)
    if {c.pk for c in communes} == set(territory.version.communes.values_list("pk", flat=True)):
        return territory
    old = territory.version
    old.retired_at = timezone.now()
    old.save(update_fields=["retired_at"])
    territory.version = _version_create(communes, check)
    territory.save(update_fields=["version"])
    return territory


@transaction.atomic
def own_territory_delete(*, reader: Reader, territory_id: int) -> OwnTerritory:
    """The territory disappears for the organisation; its version is retired
    and stays in the secrecy audit (what was shown stays known)."""
    territory = own_territory_get(reader=reader, territory_id=territory_id)
    territory.deleted_at = timezone.now()
    territory.save(update_fields=["deleted_at"])
    territory.version.retired_at = territory.deleted_at
    territory.version.save(update_fields=["retired_at"])
    return territory


@transaction.atomic
def saved_query_create(*, reader: Reader, name: str, query: str, shared: bool) -> SavedQuery:
    try:
        organisation_id = _trained_member(reader)
    except OwnTerritoryError as exc:
        raise ValueError(str(exc).replace("construisent des territoires", "enregistrent des requêtes")) from exc
    name = " ".join(_printable(name).split())[:120]
    if not name:
        raise ValueError("Donnez un nom à la requête.")
    allowed = {"indicators", "territories", "level", "own", "periods", "compare"}
    from django.http import QueryDict

    parsed = QueryDict(query)
    clean = QueryDict(mutable=True)
    for key in allowed & set(parsed):
        clean[key] = parsed[key][:2000]
    if not clean.get("indicators"):
        raise ValueError("La requête ne contient aucun indicateur.")
    return SavedQuery.objects.create(
        owner_id=reader.user_id, organisation_id=organisation_id, name=name, query=clean.urlencode(), shared=shared
    )


def saved_query_delete(*, user, query_id: int) -> None:
    deleted, _ = SavedQuery.objects.filter(pk=query_id, owner=user).delete()
    if not deleted:
        raise ValueError("Requête inconnue.")


#: invitations an organisation sends per day
INVITATIONS_PER_ORGANISATION_DAY = 100


@transaction.atomic
def member_invite(
    *, by, email: str, first_name: str = "", last_name: str = "", role: str = MemberRole.ANALYST, request=None
) -> Invitation:
    """An organisation admin invites an address into their organisation.

    A new address gets an account without a password and the link to choose
    one; an address that already has an account (elsewhere, or none) is not
    attached: its owner is told by mail and the platform's team attaches it.
    Either way the admin gets the same answer and sees the same pending
    invitation, so inviting reveals nothing about addresses outside their
    organisation."""
    from django.core.validators import validate_email

    from .selectors import membership_for_user

    inviter = membership_for_user(user=by)
    if inviter is None or inviter.role != MemberRole.ORGANISATION_ADMIN:
        raise ValueError("Seul l'administrateur de l'organisation ajoute des membres.")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except Exception as exc:
        raise ValueError("Adresse électronique invalide.") from exc
    if role not in MemberRole.values:
        raise ValueError("Rôle inconnu.")
    organisation = inviter.organisation
    from pf2s import ratelimit

    if not ratelimit.allow(
        "invitations", f"organisation:{organisation.pk}", limit=INVITATIONS_PER_ORGANISATION_DAY, window=86400
    ):
        raise ValueError("Trop d'invitations aujourd'hui pour votre organisation : réessayez demain.")
    if organisation.members.filter(user__email__iexact=email, user__last_login__isnull=False).exists():
        raise ValueError("Cette personne est déjà membre de votre organisation.")  # inside: no secret
    invitation, created = Invitation.objects.get_or_create(
        organisation=organisation, email=email, accepted_at__isnull=True, defaults={"role": role, "invited_by": by}
    )
    if not created:
        return invitation  # pending already: the same answer, no second account, no mail storm
    User = get_user_model()
    # one invitation mail per address per day, whoever invites and however often
    # (invite, withdraw, invite again): nobody's mailbox can be flooded from here
    mail_due = ratelimit.first_in_window("invitation-mail", ratelimit.mailbox(email), window=86400)
    if User.objects.filter(email__iexact=email).exists() or EmailAddress.objects.filter(email__iexact=email).exists():
        context = {"organisation": organisation}
        if mail_due:
            transaction.on_commit(lambda: _mail(email, "bti/mail/invitation_existing", context))
        return invitation
    # the login is the address; the username only has to be unique
    user = User.objects.create_user(
        username=f"invite-{secrets.token_hex(12)}", email=email, first_name=first_name[:150], last_name=last_name[:150]
    )
    user.set_unusable_password()
    user.save()
    # the account has no password until its owner follows the link mailed to
    # this address: using it proves the address, vouched for by the admin
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    if request is not None and mail_due:
        from allauth.account.forms import ResetPasswordForm

        form = ResetPasswordForm(data={"email": email})
        if form.is_valid():
            form.save(request)
    return invitation


def invitations_accept(*, user) -> int:
    """A first login closes the invitations of the member's organisation."""
    membership = getattr(user, "membership", None)
    if membership is None or not user.email:
        return 0
    return Invitation.objects.filter(
        organisation_id=membership.organisation_id, email__iexact=user.email, accepted_at__isnull=True
    ).update(accepted_at=timezone.now())


@transaction.atomic
def invitation_withdraw(*, by, invitation_id: int) -> None:
    """An organisation admin withdraws a pending invitation (a typo in the
    address, a change of mind). An account it created and nobody used goes
    with it; the answer is the same whichever kind it was."""
    from .selectors import membership_for_user

    inviter = membership_for_user(user=by)
    if inviter is None or inviter.role != MemberRole.ORGANISATION_ADMIN:
        raise ValueError("Seul l'administrateur de l'organisation gère les invitations.")
    invitation = Invitation.objects.get(pk=invitation_id, organisation=inviter.organisation, accepted_at__isnull=True)
    Membership.objects.filter(
        organisation=inviter.organisation,
        user__email__iexact=invitation.email,
        user__last_login__isnull=True,
        user__password__startswith="!",
    ).delete()
    get_user_model().objects.filter(
        email__iexact=invitation.email, last_login__isnull=True, password__startswith="!", membership__isnull=True
    ).delete()
    invitation.delete()


def _mail(to: str, template: str, context: dict) -> None:
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string

    EmailMessage(
        render_to_string(f"{template}_subject.txt", context).strip(),
        render_to_string(f"{template}.txt", context),
        to=[to],
        reply_to=[settings.PF2S_CONTACT_EMAIL],
    ).send()


@transaction.atomic
def member_set_active(*, by, membership_id: int, active: bool) -> Membership:
    """An organisation admin deactivates (sessions end at once) or reactivates
    a member of their own organisation."""
    from .selectors import membership_for_user

    inviter = membership_for_user(user=by)
    if inviter is None or inviter.role != MemberRole.ORGANISATION_ADMIN:
        raise ValueError("Seul l'administrateur de l'organisation gère ses membres.")
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .get(pk=membership_id, organisation=inviter.organisation)
    )
    if (
        membership.user.last_login is None
        and Invitation.objects.filter(
            organisation=inviter.organisation, email__iexact=membership.user.email, accepted_at__isnull=True
        ).exists()
    ):
        # still an invitation (see organisation_members): as unknown as any other id
        raise Membership.DoesNotExist
    if membership.user_id == by.pk:
        raise ValueError("Vous ne pouvez pas vous désactiver vous-même.")
    if active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    else:
        membership_deactivate(membership=membership)
    return membership
