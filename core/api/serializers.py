"""The base of every serializer that reads a request body."""

from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know (400, a message per field), as the lists refuse unknown
    filters: a misspelt `contact_emial` would otherwise be dropped silently and the write
    reported a success.

    `read_back_from` names the serializer the resource is read with: its fields are accepted
    and ignored, so a client may send back what it read (`id`, `reference`, `review_state`…)
    with its changes."""

    read_back_from: ClassVar[type[serializers.Serializer] | None] = None
    _accepted: ClassVar[set[str]]  # per class, once known (_accepted_names)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self._accepted_names())
            if unknown:
                writable = sorted(n for n, f in self.fields.items() if not f.read_only)
                message = _("Unknown field. Known ones: %(known)s.") % {
                    "known": ", ".join(writable) or "-"
                }
                raise serializers.ValidationError({name: [message] for name in unknown})
        return super().to_internal_value(data)

    def _accepted_names(self) -> set[str]:
        cls = type(self)
        names: set[str] | None = cls.__dict__.get("_accepted")
        if names is None:
            names = set(self.fields)
            if cls.read_back_from is not None:
                names |= set(cls.read_back_from().fields)
            cls._accepted = names
        return names
