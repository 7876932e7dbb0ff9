"""``python -m journey_mining`` runs the CLI."""

from journey_mining.cli import main

main()
