"""Who is asking, and what they may see: the one access rule.

A `Reader` is resolved once per request (or API token) by the partner side
(`bti.readers.reader_for_user`) and passed down to every channel: pages, API,
exports, maps, search, sitemap, tables, portraits, own territories. Nothing
here queries who a person is; the functions below only read the value.

- the public (and any account that is not a trained partner) sees open
  indicators, at the public levels (France, region, départements, EPCI);
- a trained member of an active partner organisation also sees partner
  indicators, those granted to their organisation, every level, and their
  organisation's own territories;
- a superuser sees everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from .choices import PUBLIC_LEVELS, Access, TerritoryLevel


@dataclass(frozen=True)
class Reader:
    """Who is asking, as far as access goes (never the user object itself)."""

    user_id: int | None = None
    #: the active organisation of an active membership, if any
    organisation_id: int | None = None
    #: whether that member followed the BTI training
    trained: bool = False
    #: whether that member administers the organisation (invites, deactivates members)
    organisation_admin: bool = False
    editor: bool = False
    staff: bool = False
    superuser: bool = False
    #: indicators granted to the organisation (access « organisations désignées »)
    granted: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_member(self) -> bool:
        """A member of an active partner organisation, trained or not."""
        return self.organisation_id is not None

    @property
    def is_partner(self) -> bool:
        """A trained member of an active partner organisation, or a superuser:
        who sees more than the public."""
        return self.superuser or (self.is_member and self.trained)

    @property
    def audience_key(self) -> str:
        """Who an answer is for, as far as the published figures differ: the
        public, or the partners of one organisation (superusers: all)."""
        if not self.is_partner:
            return "public"
        if self.superuser:  # everything, and the own territories of its organisation if any
            return f"partner:all:{self.organisation_id or ''}"
        return f"partner:{self.organisation_id}"


#: The public, and every account that sees no more than it.
ANONYMOUS = Reader()


def may_reach(reader: Reader, audience: str) -> bool:
    """Whether the reader belongs to a URL audience (pf2s.access.Audience
    values): members reach the partner area, trained or not (untrained ones
    see what the training opens)."""
    if audience == "public":
        return True
    if audience == "admin":
        return reader.staff
    if audience == "editor":
        return reader.editor
    if audience == "partner":
        return reader.superuser or reader.is_member
    if audience == "organisation_admin":
        return reader.is_member and reader.organisation_admin
    return False  # an audience this rule does not know opens nothing


def indicator_filter(reader: Reader) -> Q:
    """The indicators the reader may see, as a filter on Indicator."""
    if reader.superuser:
        return Q()
    if not reader.is_partner:
        return Q(access=Access.OPEN)
    return Q(access__in=[Access.OPEN, Access.PARTNERS]) | Q(access=Access.ORGANISATIONS, pk__in=sorted(reader.granted))


def territory_levels(reader: Reader) -> list[str]:
    """Levels whose figures the reader may see: the public ones for
    everybody, all of them (communes, composites) for partners."""
    return list(TerritoryLevel.values) if reader.is_partner else list(PUBLIC_LEVELS)


def indicator_levels(reader: Reader, levels: list[str]) -> list[str]:
    """Of an indicator's levels (France always first), those the reader may see."""
    allowed = set(territory_levels(reader))
    return [level for level in [str(TerritoryLevel.FRANCE), *levels] if level in allowed]


def own_territories_organisation(reader: Reader) -> int | None:
    """The organisation whose own territories the reader sees (a partner
    with a membership: trained members, superusers who belong to one), or None."""
    return reader.organisation_id if reader.is_partner else None
