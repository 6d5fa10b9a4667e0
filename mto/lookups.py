"""`field__any=[...]`: a list of values bound as ONE parameter, so a read by a list of keys has the same SQL for
any number of them.

Django's `__in` writes one placeholder per value (`IN (%s, %s, %s)`): each length is another statement, which
mto.reads.CompiledQuery cannot keep. On PostgreSQL this lookup writes `field = ANY(%s)` with the list as one
array parameter (an index serves it as it serves IN); elsewhere (SQLite) it writes the IN list. The values are
plain ones (ints, strings), prepared by the field as `__in` prepares them; an empty list matches nothing.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        if not isinstance(self.rhs, (list, tuple, set, frozenset)):
            raise TypeError(f"__any takes a list of values, not {type(self.rhs).__name__}")
        field = getattr(self.lhs, "output_field", None)
        values = [field.get_prep_value(value) for value in self.rhs] if field is not None else list(self.rhs)
        # An int past a bigint matches no integer column; SQLite cannot even bind one.
        return [v for v in values if type(v) is not int or -(2**63) <= v < 2**63]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if not values:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # a relation's lookups are its own (ForeignObject stops the inheritance)
