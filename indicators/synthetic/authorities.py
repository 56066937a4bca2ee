"""Synthetic authorities: Harrowdale, a borough of five neighbourhoods, a synthetic
England of about 150 authorities with varied deprivation, first languages and transience,
and Greater Manchester's ten authorities under their real LA numbers and ONS codes (with
synthetic neighbourhoods and children).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Real LA numbers, used only inside synthetic UPNs (the check letter algorithm requires a
# known issuing LA). Greater Manchester numbers for the borough.
BOROUGH_UPN_LA_NUMBERS: tuple[str, ...] = ("354", "353", "352", "355", "351")


@dataclass(frozen=True)
class NeighbourhoodProfile:
    code: str
    name: str
    share: float
    """Share of the authority's children who live here."""
    deprivation: float
    """0 least to 1 most deprived: shifts outcomes beyond what FSM explains."""
    fsm_rate: float
    eal_rate: float
    transience: float
    """Share of families who arrived recently (more children arrive too late to assess)."""


@dataclass(frozen=True)
class SyntheticAuthority:
    la_code: str
    new_la_code: str
    la_name: str
    postcode_area: str
    first_district: int
    neighbourhoods: tuple[NeighbourhoodProfile, ...]
    upn_la_numbers: tuple[str, ...]
    shift: float = 0.0
    """An authority-wide latent shift (used to vary authorities in a synthetic England)."""

    def sectors(self) -> dict[str, tuple[str, ...]]:
        """Six postcode sectors per neighbourhood: two districts with three sectors each."""
        result: dict[str, tuple[str, ...]] = {}
        for index, hood in enumerate(self.neighbourhoods):
            districts = (self.first_district + 2 * index, self.first_district + 2 * index + 1)
            result[hood.code] = tuple(
                f"{self.postcode_area}{district} {sector}"
                for district in districts
                for sector in (1, 2, 3)
            )
        return result


HARROWDALE = SyntheticAuthority(
    la_code="999",
    new_la_code="E99000999",
    la_name="Harrowdale (synthetic)",
    postcode_area="XH",
    first_district=1,
    upn_la_numbers=BOROUGH_UPN_LA_NUMBERS,
    neighbourhoods=(
        NeighbourhoodProfile("HD01", "Harrowdale Central", 0.26, 0.95, 0.40, 0.46, 0.14),
        NeighbourhoodProfile("HD02", "Northgate", 0.20, 0.65, 0.27, 0.32, 0.08),
        NeighbourhoodProfile("HD03", "Eastfield", 0.20, 0.80, 0.36, 0.07, 0.07),
        NeighbourhoodProfile("HD04", "Millbrook", 0.18, 0.30, 0.12, 0.10, 0.03),
        NeighbourhoodProfile("HD05", "Hillside Villages", 0.16, 0.05, 0.05, 0.03, 0.02),
    ),
)


def national_authorities(count: int = 150, seed: int = 0) -> tuple[SyntheticAuthority, ...]:
    """A synthetic England: authorities with varied deprivation, EAL and transience."""
    rng = np.random.default_rng([seed, 7])
    from stdnum.gb.upn import _la_numbers  # the real LA numbers the UPN check accepts

    numbers = sorted(_la_numbers)
    authorities = []
    names = ("Central", "North", "East", "South", "West")
    for index in range(count):
        la_number = f"{numbers[index % len(numbers)]:03d}"
        authorities.append(
            _authority(
                rng,
                index,
                la_number=la_number,
                new_la_code=f"E99{index + 1:06d}",
                la_name=f"Synthetic authority {index + 1:03d}",
                base_dep=rng.beta(2, 2),
                hood_names=[f"Synthetic {index + 1:03d} {name}" for name in names],
                hood_prefix=f"N{index + 1:03d}",
            )
        )
    return tuple(authorities)


def _authority(
    rng: np.random.Generator,
    index: int,
    *,
    la_number: str,
    new_la_code: str,
    la_name: str,
    base_dep: float,
    hood_names: Sequence[str],
    hood_prefix: str,
) -> SyntheticAuthority:
    """One synthetic authority of five neighbourhoods around a deprivation level."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWYZ"
    base_eal = rng.beta(1.2, 6) * (0.5 + base_dep)
    hoods = []
    for h, name in enumerate(hood_names):
        deprivation = float(np.clip(base_dep + rng.normal(0, 0.25), 0, 1))
        hoods.append(
            NeighbourhoodProfile(
                code=f"{hood_prefix}{h + 1}",
                name=name,
                share=float(rng.uniform(0.15, 0.25)),
                deprivation=deprivation,
                fsm_rate=float(np.clip(0.05 + 0.40 * deprivation + rng.normal(0, 0.03), 0.02, 0.6)),
                eal_rate=float(np.clip(base_eal + rng.normal(0, 0.08), 0.01, 0.8)),
                transience=float(np.clip(0.02 + 0.10 * deprivation, 0.01, 0.2)),
            )
        )
    return SyntheticAuthority(
        la_code=la_number,
        new_la_code=new_la_code,
        la_name=la_name,
        postcode_area="X" + letters[index // 6 % len(letters)],
        first_district=1 + (index % 6) * 10,
        neighbourhoods=tuple(hoods),
        upn_la_numbers=(la_number,),
        shift=float(rng.normal(0, 0.12)),
    )


COMBINED_AUTHORITY = ("E47000001", "Greater Manchester")
"""Greater Manchester's ONS code and name (DfE's EES screener, data/english_devolved_areas.csv)."""

# Greater Manchester's ten authorities (seeds/local_authorities.csv; `chorus synth --scale
# combined` puts them in E47000001 in its seeds/authority_areas.csv), each with a deprivation
# level for its synthetic children (0 least, 1 most: an assumption for the demo, not a
# published figure) and its share of the combined authority's children a year (roughly its
# births' share).
GREATER_MANCHESTER: tuple[tuple[str, str, str, float, float], ...] = (
    ("350", "E08000001", "Bolton", 0.60, 0.105),
    ("351", "E08000002", "Bury", 0.40, 0.065),
    ("352", "E08000003", "Manchester", 0.85, 0.200),
    ("353", "E08000004", "Oldham", 0.70, 0.090),
    ("354", "E08000005", "Rochdale", 0.70, 0.080),
    ("355", "E08000006", "Salford", 0.65, 0.090),
    ("356", "E08000007", "Stockport", 0.30, 0.090),
    ("357", "E08000008", "Tameside", 0.60, 0.075),
    ("358", "E08000009", "Trafford", 0.25, 0.080),
    ("359", "E08000010", "Wigan", 0.50, 0.125),
)


def combined_authority(seed: int = 0) -> tuple[tuple[SyntheticAuthority, ...], tuple[float, ...]]:
    """Greater Manchester's ten authorities, with synthetic neighbourhoods (five each, named
    after the compass: the real boroughs' areas are not modelled), and each one's share of
    the children a year."""
    rng = np.random.default_rng([seed, 13])
    compass = ("Central", "North", "East", "South", "West")
    authorities = tuple(
        _authority(
            rng,
            index,
            la_number=la_number,
            new_la_code=new_la_code,
            la_name=name,
            base_dep=deprivation,
            hood_names=[f"{name} {part} (synthetic)" for part in compass],
            hood_prefix=f"GM{index:02d}",
        )
        for index, (la_number, new_la_code, name, deprivation, _) in enumerate(GREATER_MANCHESTER)
    )
    return authorities, tuple(share for *_, share in GREATER_MANCHESTER)


def national_sizes(
    authorities: Sequence[SyntheticAuthority], children_per_year: int, seed: int
) -> list[int]:
    rng = np.random.default_rng([seed, 11])
    weights = rng.lognormal(0, 0.5, size=len(authorities))
    sizes = np.floor(weights / weights.sum() * children_per_year).astype(int)
    sizes[: children_per_year - sizes.sum()] += 1
    return sizes.tolist()
