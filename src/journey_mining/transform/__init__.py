"""The transform: declared models (SQL files and Python stages) run by one runner.

See ``models`` (what a model is), ``steps`` (the Python models and the registry),
``runner`` (dependency order, one transaction, SQL tests) and ``timing`` (``mining.run_stages``).

Example:
    >>> from journey_mining.transform import plan, transform_models
    >>> plan(transform_models())[0].name
    'declarations'
"""

from journey_mining.transform.models import Model, sql_model
from journey_mining.transform.runner import plan, run_models
from journey_mining.transform.steps import TransformContext, transform_models
from journey_mining.transform.timing import StageRecord, Stages

__all__ = [
    "Model",
    "StageRecord",
    "Stages",
    "TransformContext",
    "plan",
    "run_models",
    "sql_model",
    "transform_models",
]
