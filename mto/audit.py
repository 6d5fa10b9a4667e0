"""The audit trail of price and quantity changes (status changes have their own history tables)."""

from django.db.models import QuerySet

from .models import AuditEntry


def audit_changes(*, instance, before: dict, fields, by, label: str = "", reason: str = "") -> list[AuditEntry]:
    """Record each of `fields` whose value differs between `before` and the instance now."""
    entries = [
        AuditEntry(
            object_type=instance._meta.label,
            object_id=instance.pk,
            object_label=label or str(instance)[:120],
            field=name,
            before="" if before.get(name) is None else str(before.get(name)),
            after="" if getattr(instance, name) is None else str(getattr(instance, name)),
            changed_by=by,
            reason=reason[:300],
        )
        for name in fields
        if before.get(name) != getattr(instance, name)
    ]
    return AuditEntry.objects.bulk_create(entries)


def audit_event(*, instance, field: str, before="", after="", by, label: str = "", reason: str = "") -> AuditEntry:
    return AuditEntry.objects.create(
        object_type=instance._meta.label, object_id=instance.pk, object_label=label or str(instance)[:120],
        field=field, before=str(before)[:200], after=str(after)[:200], changed_by=by, reason=reason[:300],
    )  # fmt: skip


def audit_for(instance) -> list[AuditEntry]:
    """The trail of one object, oldest first."""
    return list(audit_queryset(type(instance), instance.pk))


def audit_queryset(model, pk) -> QuerySet[AuditEntry]:
    """The trail of the model's object pk, oldest first, as a read (mto.reads) a page can run with others."""
    entries = AuditEntry.objects.filter(object_type=model._meta.label, object_id=pk)
    return entries.select_related("changed_by").order_by("id")
