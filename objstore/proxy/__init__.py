"""The proxy: the WSGI app clients talk to, and its controllers."""
