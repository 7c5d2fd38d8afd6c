"""The HTML pages staticweb writes itself: a directory listing and the
"Web Listing Disabled" page.

Browsers, scrapers and style sheets written for a Swift site read these
pages, so they are shaped as Swift 2.38.3 writes them (measured against
it): the same elements, classes, indentation and texts; sizes in binary
units (``2Ki``); a row's classes made from its content type as listed
(``type-text type-plain;charset=utf-8``); links relative to the
directory, with dots quoted so ``./a%2Etxt`` is never read as a parent
reference. Pure functions: nothing here reads a request.
"""

from __future__ import annotations

import html
from typing import Any, Dict, Optional
from urllib.parse import quote

DEFAULT_STYLE = """  <style type="text/css">
   h1 {font-size: 1em; font-weight: bold;}
   th {text-align: left; padding: 0px 1em 0px 1em;}
   td {padding: 0px 1em 0px 1em;}
   a {text-decoration: none;}
  </style>
"""

LISTING_TAIL = "  </table>\n </body>\n</html>\n"

_UNITS = "KMGTPEZY"


def human_size(size: int) -> str:
    """``size`` bytes as a listing shows them: whole binary units
    (``1023``, ``2Ki`` for 2000, ``1Mi`` for 1,500,000), each step rounded."""
    value, unit = float(size), -1
    while value >= 1024 and unit + 1 < len(_UNITS):
        unit += 1
        value = round(value / 1024)
    if unit < 0:
        return "%d" % value
    return "%d%si" % (value, _UNITS[unit])


def _href(name: str) -> str:
    """A link relative to the directory, dots quoted (``./d%2Ee/``)."""
    return "./" + quote(name).replace(".", "%2E")


def listing_row(name: str, href: str, size: str, date: str, classes: str) -> str:
    return ('   <tr class="%s">\n    <td class="colname"><a href="%s">%s</a></td>\n'
            '    <td class="colsize">%s</td>\n    <td class="coldate">%s</td>\n   </tr>\n'
            % (classes, html.escape(href, quote=True), html.escape(name), size, date))


def page_title(path: str, label: Optional[str], prefix: str) -> str:
    """What a listing (or its disabled page) is titled: the request path,
    or the container's ``Web-Listings-Label`` in place of
    ``/v1/<account>/<container>``; escaped."""
    return html.escape("%s/%s" % (label, prefix) if label else path)


def stylesheet_href(css: str, depth: int) -> str:
    """The style sheet as seen from a directory ``depth`` levels down: an
    absolute path or http(s) URL as given, a relative one from the
    container; URL-quoted either way (as Swift 2.38.3 links it)."""
    if css.startswith(("/", "http://", "https://")):
        return quote(css, safe=":/")
    return "../" * depth + quote(css)


def listing_head(title: str, css: Optional[str], depth: int, has_parent: bool,
                 query: str = "") -> str:
    """The listing page up to its first entry (``title`` already escaped);
    ``query`` goes on the parent link (a temp URL's parameters)."""
    if css:
        style = ('  <link rel="stylesheet" type="text/css" href="%s" />\n'
                 % html.escape(stylesheet_href(css, depth), True))
    else:
        style = DEFAULT_STYLE
    out = ('<!DOCTYPE html>\n<html>\n <head>\n  <title>Listing of %s</title>\n%s </head>\n'
           ' <body>\n  <h1 id="title">Listing of %s</h1>\n  <table id="listing">\n'
           '   <tr id="heading">\n    <th class="colname">Name</th>\n'
           '    <th class="colsize">Size</th>\n    <th class="coldate">Date</th>\n   </tr>\n'
           % (title, style, title))
    if has_parent:
        out += ('   <tr id="parent" class="item">\n    <td class="colname"><a href="%s">'
                '../</a></td>\n    <td class="colsize">&nbsp;</td>\n'
                '    <td class="coldate">&nbsp;</td>\n   </tr>\n'
                % html.escape("../" + query, quote=True))
    return out


def entry_row(entry: Dict[str, Any], prefix: str, query: str = "") -> str:
    """One listing entry (a subdir or an object) as a table row; ``query``
    goes on its link (a temp URL's parameters)."""
    if "subdir" in entry:
        name = entry["subdir"][len(prefix):]
        return listing_row(name, _href(name) + query, "&nbsp;", "&nbsp;", "item subdir")
    name = entry["name"][len(prefix):]
    kinds = " ".join("type-" + html.escape(part.lower(), True)
                     for part in (entry.get("content_type") or "").split("/"))
    date = str(entry.get("last_modified", ""))[:19].replace("T", " ")
    return listing_row(name, _href(name) + query, human_size(int(entry.get("bytes") or 0)),
                       html.escape(date), ("item " + kinds).strip())


def disabled_page(title: str, index: Optional[str]) -> bytes:
    """The 404 page of a directory whose listing is off (``title`` already
    escaped); names the index page the owner set, as written in the
    container's metadata, when there is one."""
    body = ('<!DOCTYPE html>\n<html>\n<head>\n<title>Listing of %s</title>\n'
            '  <style type="text/css">\n   h1 {font-size: 1em; font-weight: bold;}\n'
            '   p {font-size: 2}\n  </style>\n</head>\n<body>'
            '  <h1>Web Listing Disabled</h1>'
            '   <p>The owner of this web site has disabled web listing.'
            '   <p>If you are the owner of this web site, you can enable'
            '   web listing by setting X-Container-Meta-Web-Listings.</p>' % title)
    if index:
        body += ('<h1>Index File Not Found</h1>'
                 ' <p>The owner of this web site has set'
                 '  <b>X-Container-Meta-Web-Index: %s</b>.'
                 '  However, this file is not found.</p>' % index)
    return (body + ' </body>\n</html>\n').encode("utf-8")
