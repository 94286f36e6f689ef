"""Does a warranty cover this failure? The coverages in force on the date of failure decide,
and when none does the answer says why: expired on …, not yet started, over the mileage
limit, the part not covered, no coverage at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from guanxi.service.models import CoverageKind, WarrantyCoverage


@dataclass(frozen=True)
class Decision:
    covered: bool
    reason: str = ""
    coverage: WarrantyCoverage | None = None


def _covers_part(coverage: WarrantyCoverage, part_number: str) -> bool:
    prefixes = coverage.part_prefixes
    return not prefixes or any(part_number.upper().startswith(p) for p in prefixes)


def decide(coverages: Iterable[WarrantyCoverage], on: dt.date, *, part_number: str | None = None,
           mileage: int | None = None) -> Decision:
    """Whether ``coverages`` cover a failure on ``on``: a replaced part (``part_number``) or,
    without one, the labour on the whole unit. The reason names what fails first: nothing
    covers this kind of item, then the dates, then the mileage."""
    coverages = list(coverages)
    if not coverages:
        return Decision(False, _("This asset has no warranty coverage."))
    if part_number is None:
        applicable = [c for c in coverages if c.kind != CoverageKind.PARTS]
        if not applicable:
            return Decision(False, _("Only parts are under warranty; labour is not covered."))
    else:
        applicable = [c for c in coverages if _covers_part(c, part_number)]
        if not applicable:
            return Decision(False, _("Part %(part)s is not covered by the warranty.")
                            % {"part": part_number})
    in_force = [c for c in applicable if c.starts_on <= on <= c.ends_on]
    if not in_force:
        ended = [c.ends_on for c in applicable if c.ends_on < on]
        if ended:
            return Decision(False, _("The warranty expired on %(date)s.")
                            % {"date": formats.date_format(max(ended))})
        return Decision(False, _("The warranty starts only on %(date)s.")
                        % {"date": formats.date_format(min(c.starts_on for c in applicable))})
    if mileage is not None:
        within = [c for c in in_force if c.max_mileage is None or mileage <= c.max_mileage]
        if not within:
            limit = max(c.max_mileage or 0 for c in in_force)
            return Decision(False, _("At %(mileage)s km the asset is over the warranty's "
                                     "mileage limit of %(limit)s km.")
                            % {"mileage": mileage, "limit": limit})
        in_force = within
    return Decision(True, coverage=in_force[0])
