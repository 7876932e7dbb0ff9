"""Outputs for people: the run summary and its terminal rendering."""
