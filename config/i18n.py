"""Language in the URL.

Django's `i18n_patterns` uses the language code itself as the URL prefix, which would
give `/zh-hans/`. Chinese (Simplified) is `zh-hans` everywhere inside (gettext catalogue
`zh_Hans`, Wagtail locale, `<html lang>`), but its pages live under the shorter `/zh/`.
`LanguagePrefixPattern` maps codes to prefixes for resolving and reversing;
`LanguageMiddleware` reads the prefix back, and picks the visitor's language from the
session cookie or `Accept-Language` where the URL carries none (admin, API, `/`).
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import URLResolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation
from django.utils.cache import patch_vary_headers

from common.i18n import language_from_path, url_prefix


class LanguagePrefixPattern(LocalePrefixPattern):
    @property
    def language_prefix(self):
        code = translation.get_language() or settings.LANGUAGE_CODE
        return f"{url_prefix(code)}/"


def language_patterns(*urls):
    return [URLResolver(LanguagePrefixPattern(prefix_default_language=True), list(urls))]


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = language_from_path(request.path_info)
        negotiated = code is None
        if negotiated:
            code = translation.get_language_from_request(request, check_path=False)
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if negotiated:
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


def root_redirect(request):
    """`/` goes to the home page in the visitor's best language (Russian otherwise)."""
    code = translation.get_language_from_request(request, check_path=False)
    response = HttpResponseRedirect(f"/{url_prefix(code)}/")
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
