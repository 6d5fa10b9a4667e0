from django.conf import settings

from .roles import user_role_names


def roles(request):
    return {"user_roles": user_role_names(request.user), "SHOP_NAME": settings.SHOP_NAME}


def notifications(request):
    """The bell's unread count: one indexed query per page for a signed-in user.

    Counted once per request: panels rendered with the request (order and job pages) run the context
    processors again.
    """
    if not request.user.is_authenticated:
        return {}
    if not hasattr(request, "_mto_unread_notifications"):
        from .selectors import unread_count

        request._mto_unread_notifications = unread_count(user=request.user)
    return {"unread_notifications": request._mto_unread_notifications}
