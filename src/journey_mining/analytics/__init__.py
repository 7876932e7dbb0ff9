"""Analytics over the mined journeys: funnel, friction findings, hand-offs."""
