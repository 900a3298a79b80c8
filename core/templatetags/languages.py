"""`{% language_alternates %}` and `{% default_language_url %}`: the page's URL in each of the six
languages, for the head and for the language menu."""

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


def _page_urls(request: HttpRequest) -> dict[str, str]:
    """The page's path and query in each language, once per request. Django's `translate_url`
    resolves the path again for every language (2.6 ms for a page's seven calls); the request
    was resolved already, so its match is reversed in each language instead."""
    cached: dict[str, str] | None = getattr(request, "_language_urls", None)
    if cached is not None:
        return cached
    here = request.get_full_path()
    match = request.resolver_match
    query = request.META.get("QUERY_STRING", "")
    urls = {}
    for code, _name in settings.LANGUAGES:
        if match is None:  # an error page: no URL of its own in another language
            urls[code] = here
            continue
        try:
            with translation.override(code):
                path = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:  # an unnamed route
            urls[code] = here
        else:
            urls[code] = f"{path}?{query}" if query else path
    request._language_urls = urls  # type: ignore[attr-defined]  # a per-request cache
    return urls


@register.simple_tag(takes_context=True)
def language_alternates(context: template.Context) -> SafeString | str:
    """`<link rel="alternate" hreflang=…>` for every language (and `x-default`, the English
    page), so that search engines offer each reader the page in their language. Nothing for
    pages whose URL has no language (the URL would be the same in every language)."""
    request = context.get("request")
    if request is None:
        return ""
    urls = _page_urls(request)
    if len(set(urls.values())) < len(urls):
        return ""
    links = [*urls.items(), ("x-default", urls[settings.LANGUAGE_CODE])]
    return format_html_join(
        "\n",
        '<link rel="alternate" hreflang="{}" href="{}">',
        ((code, request.build_absolute_uri(url)) for code, url in links),
    )


@register.simple_tag(takes_context=True)
def default_language_url(context: template.Context) -> str:
    """The page's URL in the default language: what the language menu posts as `next`. Django's
    `set_language` translates it into the chosen language; it could not translate a prefixed
    URL, since it runs unprefixed, in the default language."""
    request = context.get("request")
    if request is None:
        return "/"
    return _page_urls(request)[settings.LANGUAGE_CODE]
