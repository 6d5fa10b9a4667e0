from django.db import transaction

from .models import DocumentSequence


def document_number_next(*, sequence: str) -> int:
    """Next number of a sequence; gap-free because a rollback also rolls back the increment.

    Must run inside the transaction that creates the document: the row lock serialises concurrent
    creators until that transaction ends.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document_number_next must run inside the creating transaction")
    DocumentSequence.objects.get_or_create(name=sequence)
    row = DocumentSequence.objects.select_for_update().get(name=sequence)
    row.last_value += 1
    row.save(update_fields=["last_value"])
    return row.last_value
