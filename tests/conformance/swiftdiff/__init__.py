"""Differential testing of objstore against a real Swift 2.38.3.

``client`` speaks raw HTTP (bytes on a socket, so hostile request lines can
be sent as some clients send them), ``case`` declares request sequences and
runs them on a target, ``normalize`` reduces a response to what a client can
rely on, ``cleanup`` removes what a case created.
"""
