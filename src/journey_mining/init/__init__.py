"""``journey-mining init``: from a folder of exports to a pipeline, by inspection.

``init_exports`` reads the first rows of every export (DuckDB's CSV sniffer, Python on JSON
samples), recognises the shipped presets by their columns, writes a preset with the roles it
detected for every other export, and a pipeline joining the identifier kinds the sources
share. See docs/connectors.md ("Starting from a folder of exports").

Example:
    >>> # init_exports("exports", "pipelines/acme.yaml").link_on  # doctest: +SKIP
    ['email', 'crm_contact_id']
"""

from journey_mining.init.models import InitResult, SourceGuess
from journey_mining.init.project import init_exports

__all__ = ["InitResult", "SourceGuess", "init_exports"]
