"""What tempurl and staticweb tell each other through a request and its
answer (middlewares do not import one another).

tempurl marks a request it admitted with ``REMOTE_USER = TEMPURL_USER``:
staticweb serves its holder as a browser, walking the listings a prefix
link reaches. staticweb marks the pages it makes with
``CONTENT_GENERATOR: STATICWEB`` (a backend header, so the gatekeeper keeps
it from clients): tempurl answers a container root's link with nothing
else, and shows such a page inline.
"""

TEMPURL_USER = ".wsgi.tempurl"
CONTENT_GENERATOR = "X-Backend-Content-Generator"
STATICWEB = "staticweb"
