"""`{% language_alternates %}`: the page's URL in each of the six languages, for the head."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def language_alternates(context: template.Context) -> SafeString | str:
    """`<link rel="alternate" hreflang=…>` for every language (and `x-default`, the English
    page), so that search engines offer each reader the page in their language. Nothing for
    pages whose URL has no language (the URL would be the same in every language)."""
    request = context.get("request")
    if request is None:
        return ""
    path = request.get_full_path()
    urls = {code: translate_url(path, code) for code, _name in settings.LANGUAGES}
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
    return translate_url(request.get_full_path(), settings.LANGUAGE_CODE)
