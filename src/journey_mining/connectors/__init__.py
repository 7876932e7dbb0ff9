"""Connectors: how sources land in the warehouse (files now; SQL and XES build on the same contract)."""
