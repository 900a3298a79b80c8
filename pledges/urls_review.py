"""The secretariat's review queues (pledges awaiting a decision, progress updates awaiting
review). Mounted under the `pledges:` namespace by `pledges/urls.py`."""

from django.urls import URLPattern, path

from .views import review

urlpatterns: list[URLPattern] = [
    path("review/", review.review_queue, name="review-queue"),
    path("review/publish/", review.review_bulk_publish, name="review-bulk-publish"),
    # Under review/pledges/ so that a reference can never be mistaken for another review page
    # such as review/entities/.
    path(
        "review/pledges/<str:reference>/decision/",
        review.review_decision,
        name="review-decision",
    ),
    path(
        "review/pledges/<str:reference>/duplicate/",
        review.review_duplicate,
        name="review-duplicate",
    ),
    path("review/updates/", review.update_queue, name="update-queue"),
    path("review/updates/<int:pk>/", review.update_review, name="update-review"),
]
