"""How areas at several levels add up to their parent (disclosure control's areas adding up,
`linear_system.Expander`): which child level's partition of a parent a child is in.

A level nests in another when one of its areas has a parent at that level (a team within a
district), as any indicator's cells show. A child of a parent directly (a team with no
district) beside the parent's children at the level it nests in (the authority's districts)
completes that level's partition: the authority is its districts plus its district-less
teams. Where an indicator does not publish the team, its districts add up to at most the
authority. Levels that do not nest (an authority's neighbourhoods and its districts) each
add up to the parent on their own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence


class AreaLevels:
    """The nesting of levels and the areas beside each level, over one table's cells."""

    def __init__(
        self,
        indicators: Iterable[str],
        levels: Iterable[str],
        areas: Iterable[str],
        parents: Mapping[str, str],
    ) -> None:
        rows = list(zip(indicators, levels, areas, strict=True))
        self.parents = parents
        level_of = {area: level for _, level, area in rows}
        # the areas counted beside each level: those of indicators with cells at it (an
        # Early Help team beside the districts; a care leavers' team is not)
        levels_of: dict[str, set[str]] = defaultdict(set)
        areas_of: dict[str, set[str]] = defaultdict(set)
        for indicator, level, area in rows:
            levels_of[indicator].add(level)
            areas_of[indicator].add(area)
        self.beside: dict[str, set[str]] = defaultdict(set)
        for indicator, own in levels_of.items():
            for level in own:
                self.beside[level] |= areas_of[indicator]
        self.direct: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for area, level in level_of.items():
            if (parent := parents.get(area)) is not None:
                self.direct[parent].add((area, level))
        self.nested = {
            (level, level_of[parent])
            for area, level in level_of.items()
            if (parent := parents.get(area)) in level_of
        }

    def partitions(
        self, areas: Sequence[str], levels: Sequence[str]
    ) -> tuple[dict[tuple[str, str], str], set[tuple[str, str]]]:
        """For one indicator's cells (their areas and levels): (parent area, child level) ->
        the level whose partition of the parent the child is in, where that is not its own
        level; and the (parent, level) partitions that are incomplete, so add up to at most
        the parent."""
        own: dict[str, set[str]] = defaultdict(set)
        for area, level in zip(areas, levels, strict=True):
            if (parent := self.parents.get(area)) is not None:
                own[parent].add(level)
        merged, incomplete = {}, set()
        for parent, present in own.items():  # sorted: never in the hash order of a set
            for outer in sorted(present):
                for area, inner in sorted(self.direct.get(parent, ())):
                    if inner == outer or (inner, outer) not in self.nested:
                        continue
                    if area not in self.beside[outer]:
                        continue
                    if inner in present:
                        merged[(parent, inner)] = outer
                    else:
                        incomplete.add((parent, outer))
        return merged, incomplete
