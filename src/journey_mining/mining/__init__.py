"""Process mining on the compressed log: one trace per variant, never per event.

``eventlog`` is the only module that imports pm4py; ``conformance`` aligns variants with
the happy path (or a BPMN model) and names deviations; ``models`` holds the records
that cross the boundary. Nothing here imports pm4py at import time.
"""
