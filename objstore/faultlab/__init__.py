"""The fault lab: break a study cluster on purpose and undo it.

``objstore-fault`` (the CLI) and the dashboard's buttons call the same
:class:`~objstore.faultlab.lab.FaultLab`: stop or start a server, kill -9
a worker, corrupt or delete one copy (or EC fragment) of an object,
unmount, fill or slow a device, run any daemon once. Every fault is
recorded in a journal and can be undone. The lab refuses everything unless
the dashboard config says ``fault_lab = true`` (the SAIO does; production
samples do not). A tool in the house plan: it may import anything.
"""
