from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (None when absent): the accuracy figures of an operation's work center."""
    return mapping.get(key) if mapping else None
