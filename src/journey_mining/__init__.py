"""journey-mining: discover the journeys customers actually take and compare them with the happy path.

Example:
    >>> import journey_mining as jm
    >>> result = jm.demo("journey-mining-demo")          # doctest: +SKIP
    >>> jm.variants(result.warehouse, top=5)              # doctest: +SKIP
"""

from journey_mining.api import (
    CONTRACT_TABLES,
    DemoResult,
    demo,
    deviations,
    finding_journeys,
    findings,
    friction,
    funnel,
    journeys,
    process_map,
    report,
    resource_dir,
    run,
    segments,
    summary,
    table,
    trends,
    variants,
)
from journey_mining.errors import JourneyMiningError

__all__ = [
    "CONTRACT_TABLES",
    "DemoResult",
    "JourneyMiningError",
    "demo",
    "deviations",
    "finding_journeys",
    "findings",
    "friction",
    "funnel",
    "journeys",
    "process_map",
    "report",
    "resource_dir",
    "run",
    "segments",
    "summary",
    "table",
    "trends",
    "variants",
]
__version__ = "0.1.0"
