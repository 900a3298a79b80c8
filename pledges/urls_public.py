"""Public pages (no login): home, the pledge browser, and entity, objective and forum pages."""

from django.urls import URLPattern, path

from .views import public

urlpatterns: list[URLPattern] = [
    path("", public.home, name="home"),
    path("pledges/", public.pledge_list, name="pledge-list"),
    path("entities/<uuid:public_id>/", public.entity_detail, name="entity-detail"),
    path(
        "objectives/<str:compact>/<int:number>/",
        public.objective_detail,
        name="objective-detail",
    ),
    path("forums/<str:code>/", public.forum_detail, name="forum-detail"),
]
