"""Synthetic authorities: Harrowdale, a borough of five neighbourhoods, and a synthetic
England of about 150 authorities with varied deprivation, first languages and transience.
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
    letters = "ABCDEFGHIJKLMNOPQRSTUVWYZ"
    names = ("Central", "North", "East", "South", "West")
    for index in range(count):
        la_number = f"{numbers[index % len(numbers)]:03d}"
        base_dep = rng.beta(2, 2)
        base_eal = rng.beta(1.2, 6) * (0.5 + base_dep)
        hoods = []
        for h in range(5):
            deprivation = float(np.clip(base_dep + rng.normal(0, 0.25), 0, 1))
            hoods.append(
                NeighbourhoodProfile(
                    code=f"N{index + 1:03d}{h + 1}",
                    name=f"Synthetic {index + 1:03d} {names[h]}",
                    share=float(rng.uniform(0.15, 0.25)),
                    deprivation=deprivation,
                    fsm_rate=float(
                        np.clip(0.05 + 0.40 * deprivation + rng.normal(0, 0.03), 0.02, 0.6)
                    ),
                    eal_rate=float(np.clip(base_eal + rng.normal(0, 0.08), 0.01, 0.8)),
                    transience=float(np.clip(0.02 + 0.10 * deprivation, 0.01, 0.2)),
                )
            )
        authorities.append(
            SyntheticAuthority(
                la_code=la_number,
                new_la_code=f"E99{index + 1:06d}",
                la_name=f"Synthetic authority {index + 1:03d}",
                postcode_area="X" + letters[index // 6 % len(letters)],
                first_district=1 + (index % 6) * 10,
                neighbourhoods=tuple(hoods),
                upn_la_numbers=(la_number,),
                shift=float(rng.normal(0, 0.12)),
            )
        )
    return tuple(authorities)


def national_sizes(
    authorities: Sequence[SyntheticAuthority], children_per_year: int, seed: int
) -> list[int]:
    rng = np.random.default_rng([seed, 11])
    weights = rng.lognormal(0, 0.5, size=len(authorities))
    sizes = np.floor(weights / weights.sum() * children_per_year).astype(int)
    sizes[: children_per_year - sizes.sum()] += 1
    return sizes.tolist()
