"""The study dashboard: a web page that shows a running cluster (rings,
server health, where an object's copies are) to a student or operator.

A tool in the house plan: it may import anything, stays thin, and talks to
the cluster only the way an operator's tools do (ring files, the proxy's
tempauth, ``/recon`` and ``/healthcheck``, HEADs to storage servers).
"""
