"""The shipped demo dataset: seeded exports of a fictional B2B SaaS, with planted friction.

Example:
    >>> from journey_mining.demo import generate_demo
    >>> callable(generate_demo)
    True
"""

from __future__ import annotations

from journey_mining.demo.generator import (
    BrokenRow,
    DemoGroundTruth,
    DemoLatent,
    FileTruth,
    PlantedFriction,
    generate_demo,
    generate_demo_with_latent,
)

__all__ = [
    "BrokenRow",
    "DemoGroundTruth",
    "DemoLatent",
    "FileTruth",
    "PlantedFriction",
    "generate_demo",
    "generate_demo_with_latent",
]
