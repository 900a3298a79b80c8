"""Admin for entities, pledges and progress updates.

The pledge table is expected to reach a million rows, so the big changelists never count the
whole table twice (`show_full_result_count = False`), never offer facet counts, sort by the primary
key (the only index that serves an unfiltered "newest first" page), and join every column they
show. States (review, verification, membership) are read-only here: they change only through
the admin actions below, which call the same services as the web UI, so the rules, the audit trail
and the notifications are the same whichever door a reviewer uses.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ComputedRowAdmin
from core.forms import model_choice_field
from core.http import signed_in_user

from . import services
from .exceptions import PledgeError
from .models import (
    ContinuousReferenceCounter,
    Entity,
    EntityType,
    Membership,
    MembershipStatus,
    Pledge,
    PledgeLink,
    PledgeParticipant,
    PledgeProgressMark,
    PledgeReaffirmation,
    PledgeReferenceCounter,
    PledgeTarget,
    PledgeTranslation,
    PledgeUpdate,
    PledgeUpdateActual,
    SupportType,
)
from .names import cased_name_skeleton, name_skeleton
from .progress_marks import progress_changed
from .services import PledgeInput, TargetInput
from .workflow import EDITABLE_STATES, can_edit, is_active_member, is_secretariat

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # What the mixins below are put before; at run time plain classes, so they stay mixins.
    _ModelAdminBase = admin.ModelAdmin
else:
    _ModelAdminBase = object

TIMESTAMPS = ("created_at", "updated_at")
# Set by the review and progress services only.
PLEDGE_DERIVED = (
    "review_state",
    "implementation_status",
    "submitted_at",
    "published_at",
    "last_update_on",
)


def _reason(error: Exception) -> str:
    return "; ".join(getattr(error, "messages", None) or [str(error)])


def run_service(request: HttpRequest, apply: Callable[[], list[Any]], done: "StrOrPromise") -> None:
    """Run an all-or-none bulk service over the selected rows (an admin action is a bulk
    action): a success message, or one message per refused row with its reason."""
    try:
        applied = apply()
    except services.BulkActionRefused as error:
        for refusal in error.refusals:
            messages.error(request, f"{refusal.reference}: {refusal.reason}")
        messages.error(request, _("Nothing was changed: fix or unselect the rows above."))
    except (ValidationError, PermissionDenied, PledgeError) as error:
        messages.error(request, _reason(error))
    else:
        messages.success(request, done % {"count": len(applied)})


class LargeTableAdmin(admin.ModelAdmin):
    """Defaults for changelists over tables that grow with pledges (up to millions of rows)."""

    # A second COUNT(*) over the unfiltered table on every page view is the first thing that
    # gets slow; the filtered count is enough to paginate.
    show_full_result_count = False
    # Facets run one COUNT per filter option; on a million rows that is a page of seq scans.
    show_facets = admin.ShowFacets.NEVER
    # Newest first by primary key: created_at / reported_on have no index of their own.
    ordering = ("-id",)
    list_per_page = 50


@admin.register(EntityType)
class EntityTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "position", "source")
    list_editable = ("position",)
    search_fields = ("name", "code")
    ordering = ("position", "name")
    prepopulated_fields = {"code": ("name",)}


@admin.register(SupportType)
class SupportTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "position")
    list_editable = ("position",)
    search_fields = ("name", "code")
    ordering = ("position", "name")
    prepopulated_fields = {"code": ("name",)}


class MembershipDecisionFormSet(BaseInlineFormSet):
    """A request's status changes only by a decision of the membership service (its rules,
    audit entry and e-mail): from pending to active or declined; a member added here is
    add_member's, active at once. See EntityAdmin.save_formset."""

    def add_fields(self, form: ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        if form.instance.pk is None:
            form.initial["status"] = MembershipStatus.ACTIVE

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if form.instance.pk is None:
                if (
                    form.has_changed()
                    and not self._should_delete_form(form)  # type: ignore[attr-defined]  # private: not in the stubs
                    and form.cleaned_data.get("status") != MembershipStatus.ACTIVE
                ):
                    form.add_error(
                        "status",
                        _(
                            "A member added here acts for the entity at once: choose Active "
                            "(a request to join is made on the site)."
                        ),
                    )
                continue
            if "status" not in form.changed_data:
                continue
            decided = form.cleaned_data.get("status")
            if form.initial.get("status") != MembershipStatus.PENDING or decided not in {
                MembershipStatus.ACTIVE,
                MembershipStatus.DECLINED,
            }:
                form.add_error("status", _("Only a pending request can be approved or declined."))


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipDecisionFormSet
    extra = 0
    fields = ("user", "role", "status")
    autocomplete_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user", "entity")


class EntityAdminForm(ModelForm):
    """A new name is checked like a registration's (look-alikes refused), beside the field."""

    by: Any = None  # the signed-in user (`EntityAdmin.get_form`), whom a refusal may name to

    def clean_name(self) -> str:
        try:
            return services.checked_entity_name(
                self.cleaned_data["name"], by=self.by, entity=self.instance.pk and self.instance
            )
        except ValidationError as error:
            raise ValidationError(error.message_dict.get("name", error.messages)) from None


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    form = EntityAdminForm
    # Partners paste bare domains; assume https, which Django 6 makes the default anyway.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "acronym", "entity_type", "country", "is_verified", "verified_at")
    list_filter = ("is_verified", "entity_type", "country__region")
    list_select_related = ("entity_type", "country")
    search_fields = ("name", "acronym")
    ordering = ("name",)
    autocomplete_fields = ("country",)
    readonly_fields = (
        "public_id",
        "is_verified",
        "verified_at",
        "declined_at",
        "decline_reason",
        *TIMESTAMPS,
    )
    actions = ("verify_selected",)
    fieldsets = (
        (None, {"fields": ("name", "acronym", "entity_type", "country")}),
        (_("About"), {"fields": ("website", "description")}),
        (
            _("Verification"),
            {
                "fields": ("is_verified", "verified_at", "declined_at", "decline_reason"),
                # Declining needs a reason, which the registrant is e-mailed: the queue asks
                # for it, an admin action could not.
                "description": _(
                    "Verify with the action “Verify selected entities” or in the entity queue "
                    "(Review → Entities, /review/entities/). Decline a registration in the "
                    "entity queue, which asks for the reason the registrant is sent. Withdraw "
                    "a verification on the entity's public page (“Withdraw the verification…”), "
                    "which asks for the reason its members are sent."
                ),
            },
        ),
        (_("Record"), {"fields": ("public_id", *TIMESTAMPS)}),
    )
    inlines = (MembershipInline,)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def save_model(self, request: HttpRequest, obj: Entity, form: ModelForm, change: bool) -> None:
        if not change:
            obj.name_skeleton = name_skeleton(obj.name)
            obj.cased_name_skeleton = cased_name_skeleton(obj.name)
            super().save_model(request, obj, form, change)
            return
        # A correction is update_entity's: audited, the skeletons kept in step, and a new name
        # or acronym stored into the searchable context of the entity's pledges.
        changes = {
            f: form.cleaned_data[f] for f in form.changed_data if f in services.ENTITY_FIELDS
        }
        services.update_entity(entity=obj, changes=changes, by=signed_in_user(request))
        obj.refresh_from_db()

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: Any, change: bool
    ) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        # Approving or declining a request here is the membership service's decision (the
        # formset's clean allowed only those); the row itself keeps its old status until then.
        # A new row is add_member's.
        decisions = []
        for row in formset.forms:
            if row.instance.pk and "status" in row.changed_data:
                decisions.append((row.instance, row.cleaned_data["status"]))
                row.instance.status = row.initial["status"]
        formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership.delete()
        for membership, _changed in formset.changed_objects:
            membership.save()
        added, formset.new_objects = formset.new_objects, []
        for membership in added:
            try:
                formset.new_objects.append(
                    services.add_member(
                        entity=form.instance,
                        user=membership.user,
                        role=membership.role,
                        by=signed_in_user(request),
                    )
                )
            except (ValidationError, PermissionDenied, PledgeError) as error:
                messages.error(request, f"{membership.user}: {_reason(error)}")
        for membership, status in decisions:
            try:
                services.decide_membership(
                    membership=membership,
                    approve=status == MembershipStatus.ACTIVE,
                    by=signed_in_user(request),
                )
            except (ValidationError, PledgeError) as error:  # decided meanwhile by someone else
                messages.error(request, f"{membership.user}: {error}")

    @admin.action(description=_("Verify selected entities"), permissions=["change"])
    def verify_selected(self, request: HttpRequest, queryset: QuerySet[Entity]) -> None:
        run_service(
            request,
            lambda: services.all_or_none(
                queryset.filter(is_verified=False),
                lambda e: services.verify_entity(entity=e, by=signed_in_user(request)),
            ),
            _("%(count)d entities verified."),
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "entity", "role", "status", "created_at")
    list_filter = ("status", "role")
    list_select_related = ("user", "entity")
    search_fields = ("user__email", "user__full_name", "entity__name", "entity__acronym")
    ordering = ("entity__name", "user__email")
    autocomplete_fields = ("user", "entity")
    readonly_fields = ("status", *TIMESTAMPS)
    actions = ("approve_selected", "decline_selected")

    def save_model(
        self, request: HttpRequest, obj: Membership, form: ModelForm, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)  # the role: status is read-only
            return
        # A membership added here is add_member's: active at once, audited, e-mailed (a request
        # to join is made on the site). The form has checked that it is new.
        obj.pk = services.add_member(
            entity=obj.entity, user=obj.user, role=obj.role, by=signed_in_user(request)
        ).pk
        obj.refresh_from_db()
        obj._state.adding = False

    @admin.action(description=_("Approve selected requests"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        run_service(
            request,
            lambda: services.all_or_none(
                queryset.select_related("user", "entity"),
                lambda m: services.decide_membership(
                    membership=m, approve=True, by=signed_in_user(request)
                ),
            ),
            _("%(count)d requests approved."),
        )

    @admin.action(description=_("Decline selected requests"), permissions=["change"])
    def decline_selected(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        run_service(
            request,
            lambda: services.all_or_none(
                queryset.select_related("user", "entity"),
                lambda m: services.decide_membership(
                    membership=m, approve=False, by=signed_in_user(request)
                ),
            ),
            _("%(count)d requests declined."),
        )


def _target_inputs(formset: BaseInlineFormSet) -> list[TargetInput]:
    """The target rows the admin keeps (existing or filled in, not marked for deletion)."""
    return [
        TargetInput(
            id=row.instance.pk,
            metric=row.cleaned_data["metric"],
            unit=row.cleaned_data["unit"],
            target_value=row.cleaned_data["target_value"],
            baseline=row.cleaned_data.get("baseline"),
            due_date=row.cleaned_data.get("due_date"),
        )
        for row in formset.forms
        if (row.instance.pk or row.has_changed()) and not formset._should_delete_form(row)  # type: ignore[attr-defined]  # private: not in the stubs
    ]


class PledgeTargetsFormSet(BaseInlineFormSet):
    """The targets' rules of the pledge services (validate_targets), as errors of the inline."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        try:
            services.validate_targets(_target_inputs(self))
        except ValidationError as error:
            raise ValidationError(error.message_dict["targets"]) from None


class PledgeTargetForm(ModelForm):
    """A target row. Its value and unit are checked by the services' rules in the formset's
    clean, in their words; the model's check constraints mirror those rules, and would
    otherwise stop the row first with "Constraint … is violated"."""

    def _get_validation_exclusions(self) -> set[str]:
        return {*super()._get_validation_exclusions(), "unit", "target_value"}  # type: ignore[misc]  # private: not in the stubs


class PledgeTargetInline(admin.TabularInline):
    model = PledgeTarget
    form = PledgeTargetForm
    formset = PledgeTargetsFormSet
    extra = 0
    fields = ("metric", "unit", "baseline", "target_value", "due_date")


class ManagedOnThePledgePage:
    """Co-pledgers and links are changed on the pledge page only, through their services: only
    verified entities can be invited and only the invited entity's members answer for it, and
    every change bumps the pledge's version (partners' sync) and leaves an audit entry. Here
    they are shown, not edited. (Deleting a pledge still deletes them with it; the standalone
    pages delete one through its service, see `RemovedThroughService`.)"""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ShownOnThePledge(ManagedOnThePledgePage):
    """The pledge form's inlines: nothing is deleted from the pledge's own form either."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RemovedThroughService(ManagedOnThePledgePage, _ModelAdminBase):
    """A co-pledger or link deleted on its own admin page goes through its service (audit entry,
    version bump); a refusal (a closed pledge) is shown, and nothing is deleted."""

    def remove(self, obj: Any, by: Any) -> None:
        raise NotImplementedError

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_queryset(request, [obj])

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        try:
            with transaction.atomic():
                for obj in queryset:
                    self.remove(obj, signed_in_user(request))
        except (PermissionDenied, PledgeError, ValidationError) as error:
            reason = "; ".join(error.messages) if isinstance(error, ValidationError) else error
            self.message_user(request, str(reason), messages.ERROR)


class PledgeParticipantInline(ShownOnThePledge, admin.TabularInline):
    model = PledgeParticipant
    extra = 0
    fields = ("entity", "role", "status", "responded_at")
    verbose_name = _("co-pledging entity")
    verbose_name_plural = _("co-pledging entities (managed on the pledge page)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PledgeParticipant]:
        return super().get_queryset(request).select_related("pledge", "entity")


class PledgeLinkInline(ShownOnThePledge, admin.TabularInline):
    model = PledgeLink
    fk_name = "source"
    extra = 0
    fields = ("kind", "target")
    verbose_name = _("link to another pledge")
    verbose_name_plural = _("links to other pledges (managed on the pledge page)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PledgeLink]:
        return super().get_queryset(request).select_related("source", "target")


def _objective_ids(pledge_ids: list[int]) -> set[int]:
    return set(
        Pledge.objectives.through.objects.filter(pledge_id__in=pledge_ids).values_list(
            "objective_id", flat=True
        )
    )


# Kept by the admin beside the content: bookkeeping the services do not edit.
PLEDGE_BOOKKEEPING = ("announced_on", "created_by")


def _content_input(cleaned: dict[str, Any]) -> PledgeInput:
    names = [name for name in PledgeInput.__dataclass_fields__ if name != "targets"]
    values: dict[str, Any] = {name: cleaned.get(name) for name in names}
    values["language"] = values["language"] or None  # left out: unchanged
    for name, value in values.items():
        if isinstance(value, QuerySet):
            values[name] = list(value)
    return PledgeInput(**values, targets=None)


class PledgeAdminForm(ModelForm):
    """Checks the content with the pledge services' own rules (validate_pledge): drafts within
    the bounds, and a pledge under review or published complete, as on the web and the API."""

    class Meta:
        model = Pledge
        fields = "__all__"  # noqa: DJ007 -- the admin's fieldsets choose the fields

    editor: Any = None  # the signed-in user: set by PledgeAdmin.get_form
    # The version the page showed: update_pledge refuses the save if somebody saved since.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version
        if "language" in self.fields:
            # Left out of a post (a page opened before pledges had a language), it stays.
            self.fields["language"].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned  # a field has no value to check yet
        pledge = self.instance
        if pledge.pk is not None and "entity" in self.changed_data:
            self.add_error("entity", _("The submitting entity of a pledge cannot change."))
            return cleaned
        # The services' permission rules, said here, so that the save cannot be refused.
        if pledge.pk is not None and not can_edit(pledge, self.editor):
            self.add_error(None, _("You cannot edit this pledge now."))
            return cleaned
        entity = cleaned["entity"]
        if pledge.pk is None and not (
            is_active_member(self.editor, entity) or is_secretariat(self.editor)
        ):
            self.add_error("entity", _("You can create pledges only for entities you act for."))
            return cleaned
        complete = pledge.pk is not None and pledge.review_state not in EDITABLE_STATES
        try:
            services.validate_pledge(_content_input(cleaned), complete=complete)
        except ValidationError as error:
            for name, field_messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, field_messages)
        return cleaned


@admin.register(Pledge)
class PledgeAdmin(SimpleHistoryAdmin, LargeTableAdmin):  # type: ignore[misc]  # simple_history ships no type hints
    # SimpleHistoryAdmin turns the History button into the field-by-field history of the pledge
    # and records the admin user as the author of changes saved here.
    list_display = (
        "reference",
        "title",
        "entity",
        "compact_code",
        "forum_code",
        "review_state",
        "implementation_status",
        "amount_display",
        "last_update_on",
    )
    list_display_links = ("reference", "title")
    list_filter = (
        "compact",
        "forum",
        "review_state",
        "implementation_status",
        "entity__entity_type",
    )
    list_select_related = ("entity", "compact", "forum")
    search_fields = ("reference", "title", "entity__name")
    search_help_text = _("Search by reference (e.g. GRF23-00042), title or entity name.")
    autocomplete_fields = (
        "entity",
        "objectives",
        "actions",
        "principles",
        "thematic_areas",
        "beneficiary_countries",
        "support_platform",
        "currency",
        "created_by",
    )
    filter_horizontal = ("support_types",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "reference",
                    "language",
                    "title",
                    "description",
                    "compact",
                    "forum",
                    "entity",
                )
            },
        ),
        (
            _("What it serves"),
            {"fields": ("objectives", "actions", "principles", "thematic_areas", "support_types")},
        ),
        (
            _("Geography"),
            {"fields": ("geography_scope", "beneficiary_countries", "support_platform")},
        ),
        (
            _("Time frame and money"),
            {"fields": ("start_date", "end_date", "announced_on", "amount", "currency")},
        ),
        (_("Contact"), {"fields": ("contact_name", "contact_email")}),
        (
            _("Review and status"),
            {
                "fields": (
                    "review_state",
                    "implementation_status",
                    "submitted_at",
                    "published_at",
                    "last_update_on",
                    "created_by",
                )
            },
        ),
        (_("Record"), {"fields": ("public_id", *TIMESTAMPS, "loaded_version")}),
    )
    inlines = (PledgeTargetInline, PledgeParticipantInline, PledgeLinkInline)
    form = PledgeAdminForm

    def get_readonly_fields(self, request: HttpRequest, obj: Pledge | None = None) -> tuple:
        # The reference comes from the forum's counter (see save_model) and, once given, is
        # quoted by partners and in reports, so nobody types or changes it.
        return ("reference", "public_id", *PLEDGE_DERIVED, *TIMESTAMPS)

    actions = ("publish_selected",)

    @admin.action(description=_("Publish selected pledges"), permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Pledge]) -> None:
        # Oldest submission first: the queue's order, so overlapping bulk actions lock rows in
        # the same order.
        run_service(
            request,
            # Oldest submission first, like the queue: overlapping bulk actions then lock rows
            # in the same order.
            lambda: services.bulk_publish(
                pledges=queryset.order_by("submitted_at", "id"), by=signed_in_user(request)
            ),
            _("%(count)d pledges published."),
        )

    def get_form(
        self, request: HttpRequest, obj: Pledge | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        form.editor = request.user  # type: ignore[attr-defined]  # a PledgeAdminForm
        return form

    def save_model(self, request: HttpRequest, obj: Pledge, form: ModelForm, change: bool) -> None:
        """Nothing here: the pledge services save the content with the targets (save_related)."""

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        # Adding is create_pledge's, an edit update_pledge's, as on the web and the API: their
        # validation, reference (the forum's counter), version, history reason, audit entry and
        # progress marks. (The change view is one transaction.)
        pledge = form.instance
        targets = next((f for f in formsets if f.model is PledgeTarget), None)
        data = _content_input(form.cleaned_data)
        data.targets = _target_inputs(targets) if targets is not None else None
        try:
            with transaction.atomic():
                if change:
                    services.update_pledge(
                        pledge=pledge,
                        data=data,
                        by=signed_in_user(request),
                        expected_version=form.cleaned_data.get("loaded_version"),
                    )
                else:
                    data.targets = data.targets or []
                    pledge.pk = services.create_pledge(data=data, by=signed_in_user(request)).pk
                    pledge.refresh_from_db()
                    pledge._state.adding = False
        except (ValidationError, PermissionDenied, PledgeError) as error:
            # The form checked the same rules, so only a change made meanwhile (another
            # reviewer's save: StaleVersion) ends here: say why and keep nothing of this save
            # (the service's savepoint is rolled back; no other row is saved, nor logged).
            request.pledge_save_refused = True  # type: ignore[attr-defined]  # read by log_*
            messages.error(request, _reason(error))
            for formset in formsets:  # read by the change message (not logged either)
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        if targets is not None:  # saved by the service; the change message reads these
            targets.new_objects, targets.changed_objects, targets.deleted_objects = [], [], []
        bookkeeping = {
            name: form.cleaned_data[name]
            for name in PLEDGE_BOOKKEEPING
            if name in form.changed_data
        }
        if bookkeeping:
            Pledge.objects.filter(pk=pledge.pk).update(**bookkeeping)
        for formset in formsets:
            if formset is not targets:
                self.save_formset(request, form, formset, change)

    def log_addition(self, request: HttpRequest, obj: Pledge, message: Any) -> Any:
        if not getattr(request, "pledge_save_refused", False):
            return super().log_addition(request, obj, message)
        return None

    def log_change(self, request: HttpRequest, obj: Pledge, message: Any) -> Any:
        if not getattr(request, "pledge_save_refused", False):
            return super().log_change(request, obj, message)
        return None

    def response_add(self, request: HttpRequest, obj: Pledge, *args: Any) -> HttpResponse:
        if getattr(request, "pledge_save_refused", False):
            return HttpResponseRedirect(request.get_full_path())
        return super().response_add(request, obj, *args)

    def response_change(self, request: HttpRequest, obj: Pledge) -> HttpResponse:
        if getattr(request, "pledge_save_refused", False):
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, Any]:
        # A pledge's reaffirmations are shown read-only in their own admin (they are made on the
        # pledge page), which would otherwise forbid deleting a reaffirmed pledge: they go with it.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        owned = {str(PledgeReaffirmation._meta.verbose_name)}
        return deleted, counts, perms_needed - owned, protected

    def delete_model(self, request: HttpRequest, obj: Pledge) -> None:
        pledge_id, objective_ids = obj.pk, _objective_ids([obj.pk])
        super().delete_model(request, obj)
        progress_changed([pledge_id], objective_ids)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Pledge]) -> None:
        with transaction.atomic():
            pledge_ids = list(queryset.values_list("pk", flat=True))
            objective_ids = _objective_ids(pledge_ids)
            super().delete_queryset(request, queryset)
            progress_changed(pledge_ids, objective_ids)

    @admin.display(description=_("compact"), ordering="compact__code")
    def compact_code(self, obj: Pledge) -> str:
        return obj.compact.code

    @admin.display(description=_("forum"), ordering="forum__code")
    def forum_code(self, obj: Pledge) -> str:
        return obj.forum.code if obj.forum else "—"  # announced outside any forum

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj: Pledge) -> str | None:
        if obj.amount is None:
            return None
        # currency_id is the ISO code itself, so no join is needed to show it.
        return f"{obj.amount:,} {obj.currency_id}"


@admin.register(PledgeReferenceCounter)
class PledgeReferenceCounterAdmin(admin.ModelAdmin):
    list_display = ("forum", "last_number")
    list_select_related = ("forum",)
    search_fields = ("forum__code", "forum__name")
    ordering = ("forum__code",)

    # Only the pledge services move a counter: lowering or deleting one would hand out a
    # reference again, and the pledge that receives it could not be saved.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: PledgeReferenceCounter | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: PledgeReferenceCounter | None = None
    ) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the services (and their pages): the admin shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ContinuousReferenceCounter)
class ContinuousReferenceCounterAdmin(ReadOnlyAdmin):
    """The compacts' continuous series (GCR-C-000123): moved by the pledge services only, like
    the forums' counters."""

    list_display = ("compact", "last_number")
    list_select_related = ("compact",)


@admin.register(PledgeReaffirmation)
class PledgeReaffirmationAdmin(ReadOnlyAdmin):
    """Reaffirmations are made on the pledge page (`reaffirm_pledge`, audited)."""

    list_display = ("pledge", "forum", "reaffirmed_on", "reaffirmed_by")
    list_select_related = ("pledge", "forum", "reaffirmed_by")
    list_filter = ("forum",)
    search_fields = ("pledge__reference",)


@admin.register(PledgeParticipant)
class PledgeParticipantAdmin(RemovedThroughService, LargeTableAdmin):
    list_display = ("pledge", "entity", "role", "status", "responded_at")
    list_filter = ("role", "status")
    list_select_related = ("pledge", "entity")
    search_fields = ("pledge__reference", "entity__name")
    autocomplete_fields = ("pledge", "entity")
    readonly_fields = TIMESTAMPS

    def remove(self, obj: PledgeParticipant, by: Any) -> None:
        services.remove_participant(participant=obj, by=by)


@admin.register(PledgeLink)
class PledgeLinkAdmin(RemovedThroughService, LargeTableAdmin):
    list_display = ("source", "kind", "target")
    list_filter = ("kind",)
    list_select_related = ("source", "target")
    search_fields = ("source__reference", "target__reference")
    autocomplete_fields = ("source", "target")
    readonly_fields = TIMESTAMPS

    def remove(self, obj: PledgeLink, by: Any) -> None:
        services.unlink_pledges(link=obj, by=by)


@admin.register(PledgeTranslation)
class PledgeTranslationAdmin(RemovedThroughService, LargeTableAdmin):
    list_display = ("pledge", "language", "title")
    list_filter = ("language",)
    list_select_related = ("pledge",)
    search_fields = ("pledge__reference", "title")
    autocomplete_fields = ("pledge",)
    readonly_fields = TIMESTAMPS

    def remove(self, obj: PledgeTranslation, by: Any) -> None:
        services.remove_translation(translation=obj, by=by)


@admin.register(PledgeTarget)
class PledgeTargetAdmin(LargeTableAdmin):
    list_display = ("metric", "pledge", "unit", "baseline", "target_value", "due_date")
    list_filter = ("unit",)
    list_select_related = ("pledge",)
    search_fields = ("pledge__reference", "metric")
    autocomplete_fields = ("pledge",)


class ActualsFormSet(BaseInlineFormSet):
    """Offers only the targets of the update's own pledge: an actual for another pledge's
    target would count in the wrong pledge's progress."""

    def add_fields(self, form: ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        targets = PledgeTarget.objects.none()
        if self.instance.pk is not None:
            targets = PledgeTarget.objects.filter(pledge_id=self.instance.pledge_id)
        model_choice_field(form, "target").queryset = targets


class PledgeUpdateActualInline(admin.TabularInline):
    model = PledgeUpdateActual
    formset = ActualsFormSet
    extra = 0
    fields = ("target", "value")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PledgeUpdateActual]:
        return super().get_queryset(request).select_related("target")


@admin.register(PledgeUpdate)
class PledgeUpdateAdmin(LargeTableAdmin):
    list_display = (
        "pledge_reference",
        "reported_on",
        "status",
        "review_state",
        "disbursed_amount",
        "submitted_by",
        "reviewed_at",
    )
    list_display_links = ("pledge_reference", "reported_on")
    list_filter = ("review_state", "status", "pledge__compact")
    search_fields = ("pledge__reference", "pledge__title")
    search_help_text = _("Search by pledge reference or title.")
    autocomplete_fields = ("pledge", "submitted_by", "reviewed_by")
    readonly_fields = (
        "public_id",
        # Set by the update service from the submitter's membership (issue 17, item 6).
        "entity",
        "review_state",
        "reviewed_by",
        "reviewed_at",
        "review_note",
        *TIMESTAMPS,
    )
    actions = ("approve_selected",)
    fieldsets = (
        (
            None,
            {"fields": ("pledge", "entity", "round", "reported_on", "status", "submitted_by")},
        ),
        (
            _("Report"),
            {"fields": ("narrative", "challenges", "disbursed_amount", "evidence_links")},
        ),
        (
            _("Review"),
            {"fields": ("review_state", "reviewed_by", "reviewed_at", "review_note")},
        ),
        (_("Record"), {"fields": ("public_id", *TIMESTAMPS)}),
    )
    inlines = (PledgeUpdateActualInline,)

    @admin.action(description=_("Approve selected updates"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[PledgeUpdate]) -> None:
        run_service(
            request,
            lambda: services.bulk_review_updates(
                updates=queryset.select_related("pledge").order_by("created_at", "id"),
                action="approve",
                by=signed_in_user(request),
            ),
            _("%(count)d updates approved."),
        )

    def save_model(
        self, request: HttpRequest, obj: PledgeUpdate, form: ModelForm, change: bool
    ) -> None:
        if obj.entity_id is None:  # added here: reported for the pledge's own entity
            obj.entity_id = obj.pledge.entity_id
        super().save_model(request, obj, form, change)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PledgeUpdate]:
        # The label ("GRF23-00042 update of …") reads the pledge, also in autocomplete lists.
        # The changelist ignores list_select_related once the queryset joins anything, so the
        # columns' joins are listed here too.
        return super().get_queryset(request).select_related("pledge", "submitted_by")

    @admin.display(description=_("pledge"), ordering="pledge__reference")
    def pledge_reference(self, obj: PledgeUpdate) -> str:
        return obj.pledge.reference


@admin.register(PledgeUpdateActual)
class PledgeUpdateActualAdmin(LargeTableAdmin):
    list_display = ("update", "target", "value")
    list_select_related = ("update__pledge", "target")
    search_fields = ("update__pledge__reference", "target__metric")
    autocomplete_fields = ("update", "target")


@admin.register(PledgeProgressMark)
class PledgeProgressMarkAdmin(ComputedRowAdmin):
    """Pledges whose change the progress engine has not applied yet (normally for seconds)."""

    list_display = ("pledge_id", "marked_at")
    ordering = ("marked_at",)
