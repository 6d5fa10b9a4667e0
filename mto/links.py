"""`url_by_key(viewname, key)`: what `reverse(viewname, args=[key])` answers, for the detail links that list and
detail pages print by the hundred (`get_absolute_url`), without Django's reverse for each.

reverse() looks the name up among the URL patterns, checks the candidates' converters and quotes the result: a
50-line order page called it a hundred times, for its jobs and items, 13 % of the page under py-spy
(docs/performance.md, round eleven). Links to one view differ only in their key, so the view's path is reversed
once per URLconf with a stand-in key and the real key put in its place, under the script prefix of the moment as
reverse() puts it. A key that is not a non-negative int (None, a str) goes reverse()'s way, and is refused as it
refuses it."""

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_STAND_IN = "2000000011"
_paths: dict[tuple[str, str], tuple[str, str]] = {}  # (URLconf, view name) -> the path around the key


def url_by_key(viewname: str, key) -> str:
    if type(key) is not int or key < 0:
        return reverse(viewname, args=[key])
    urlconf = get_urlconf() or settings.ROOT_URLCONF  # a request's own URLconf, as reverse() would take
    around = _paths.get((urlconf, viewname))
    if around is None:
        path = reverse(viewname, args=[int(_STAND_IN)]).removeprefix(get_script_prefix())
        before, found, after = path.partition(_STAND_IN)
        if not found or _STAND_IN in after:
            return reverse(viewname, args=[key])  # a path that is not the key's value in one place
        around = _paths[(urlconf, viewname)] = (before, after)
    return f"{get_script_prefix()}{around[0]}{key}{around[1]}"
