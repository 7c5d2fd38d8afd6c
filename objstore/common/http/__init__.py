"""Pure HTTP semantics shared by every server and middleware: one module per rule."""

from objstore.common.http import header_names

header_names.install()  # webob maps header names by ASCII case only, as Swift does
